//! What a listener would notice, measured on rendered audio: length, pauses, pitch movement,
//! voices, level and the integrity of every output format.

mod common;

use common::*;
use tts_formant::phoneme::{Sentence, Tune};
use tts_formant::synth::{self, Format, Settings, voices};
use tts_formant::text;

const RATE: usize = 22050;

/// The sample sentence of the README.
const REMINDER_TEXT: &str = "Hello, this is a reminder about your appointment tomorrow at nine thirty.";

fn say(text: &str) -> Vec<Sentence> {
    text::analyse(text, &[])
}

/// Mean of the pitch estimates within `[from, to)` ms.
fn mean_pitch(track: &[(f32, f32)], from: f32, to: f32) -> Option<f32> {
    let v: Vec<f32> = track.iter().filter(|(t, _)| *t >= from && *t < to).map(|p| p.1).collect();
    (!v.is_empty()).then(|| v.iter().sum::<f32>() / v.len() as f32)
}

/// F0 at the end of voicing and 300 ms before it.
fn final_movement(x: &[f32]) -> (f32, f32) {
    let track = pitch_track(x, RATE);
    let end = track.last().map_or(0.0, |p| p.0);
    let late = mean_pitch(&track, end - 40.0, end + 1.0).unwrap_or(0.0);
    let early = mean_pitch(&track, end - 320.0, end - 260.0).unwrap_or(0.0);
    (early, late)
}

#[test]
fn sample_sentence_renders_sanely_in_every_voice() {
    let s = say(REMINDER_TEXT);
    for voice in voices::VOICES.iter().map(|v| v.id) {
        let x = pcm(&s, voice);
        if let Ok(dir) = std::env::var("TTS_FORMANT_WAV_DIR") {
            write_wav(&format!("{dir}/sample_{voice}.wav"), &x, RATE as u32);
        }
        let level = rms(&x);
        assert!(level > 0.03 && level < 0.25, "{voice}: rms {level}");
        let peak = x.iter().fold(0.0f32, |m, s| m.max(s.abs()));
        assert!(peak < 0.99, "{voice}: peak {peak} reaches full scale");
        let seconds = x.len() as f32 / RATE as f32;
        assert!((2.5..7.0).contains(&seconds), "{voice}: {seconds} s for 13 words");
    }
}

#[test]
fn duration_grows_with_text() {
    let ms = |t: &str| render_with(&say(t), "alba", Settings::default(), Format::Pcm16k).outcome.duration_ms();
    let (a, b, c) = (ms("Hello."), ms("Hello there."), ms("Hello there. See you soon."));
    assert!(a < b && b < c, "{a} {b} {c}");
    assert!(c > b + 500, "a second sentence adds its words and a pause: {b} -> {c}");
}

#[test]
fn phrase_break_gives_a_pause() {
    let joined = pcm(&say("Hello Marlow and Alba."), "marlow");
    let broken = pcm(&say("Hello Marlow, and Alba."), "marlow");
    let (j, b) = (longest_pause_ms(&joined, RATE), longest_pause_ms(&broken, RATE));
    assert!(b > 150, "phrase break pause {b} ms");
    assert!(j < 100, "no pause without a break: {j} ms");
}

#[test]
fn yes_no_questions_rise_and_statements_fall() {
    let question = say("Is it ready?");
    let statement = say("It is ready.");
    assert_eq!(question.first().map(|s| s.tune), Some(Tune::YesNoQuestion));
    assert_eq!(statement.first().map(|s| s.tune), Some(Tune::Statement));
    for voice in ["alba", "marlow"] {
        let (qe, ql) = final_movement(&pcm(&question, voice));
        let (se, sl) = final_movement(&pcm(&statement, voice));
        assert!(ql > 1.25 * qe, "{voice}: question {qe} -> {ql} Hz should rise");
        assert!(sl < 0.95 * se, "{voice}: statement {se} -> {sl} Hz should fall");
    }
    // The same words with the tune set by hand: only the tune differs.
    let (qe, ql) = final_movement(&pcm(&[sentence(Tune::YesNoQuestion, "it:IH1_T is:IH1_Z ready:R_EH1_D_IY0")], "ren"));
    assert!(ql > 1.25 * qe, "hand-built question {qe} -> {ql} Hz");
}

#[test]
fn voices_have_their_own_pitch() {
    let s = say(REMINDER_TEXT);
    let mut means: Vec<(&str, f32)> = voices::VOICES
        .iter()
        .map(|v| {
            let track = pitch_track(&pcm(&s, v.id), RATE);
            (v.id, track.iter().map(|p| p.1).sum::<f32>() / track.len().max(1) as f32)
        })
        .collect();
    means.sort_by(|a, b| a.1.total_cmp(&b.1));
    for pair in means.windows(2) {
        assert!(pair[1].1 > 1.15 * pair[0].1, "{means:?}");
    }
    let mean = |id: &str| means.iter().find(|m| m.0 == id).map_or(0.0, |m| m.1);
    assert!((90.0..135.0).contains(&mean("marlow")), "{means:?}");
    assert!((170.0..240.0).contains(&mean("alba")), "{means:?}");
}

#[test]
fn emphasis_raises_pitch_and_lengthens() {
    let text = "I said blue today.";
    let plain = pcm(&text::analyse(text, &[]), "marlow");
    // Characters 7..11 are "blue".
    let marked = pcm(&text::analyse(text, &[(7, 11)]), "marlow");
    let hand = pcm(&[sentence(Tune::Statement, "i:AY1 said:S_EH1_D *blue:B_L_UW1 today:T_AH0_D_EY1")], "marlow");
    assert!(marked.len() > plain.len(), "emphasis lengthens");
    let top = |x: &[f32]| pitch_track(x, RATE).iter().fold(0.0f32, |m, p| m.max(p.1));
    assert!(top(&marked) > 1.05 * top(&plain), "{} vs {}", top(&marked), top(&plain));
    assert!(top(&hand) > 1.05 * top(&plain), "{} vs {}", top(&hand), top(&plain));
}

#[test]
fn settings_change_rate_and_range() {
    let s = say(REMINDER_TEXT);
    let render = |settings| samples(&render_with(&s, "alba", settings, Format::Pcm22k).bytes());
    let normal = render(Settings::default());
    let fast = render(Settings { speed: 1.5, ..Settings::default() });
    assert!((fast.len() as f32) < 0.8 * normal.len() as f32);
    // Pitch range as the ratio of the 90th to the 10th percentile (robust to octave errors).
    let spread = |x: &[f32]| {
        let mut f: Vec<f32> = pitch_track(x, RATE).iter().map(|p| p.1).collect();
        f.sort_by(f32::total_cmp);
        let at = |q: f32| f.get((q * (f.len() - 1) as f32) as usize).copied().unwrap_or(1.0);
        at(0.9) / at(0.1)
    };
    let flat = render(Settings { stability: 1.0, ..Settings::default() });
    let lively = render(Settings { stability: 0.0, style: 1.0, ..Settings::default() });
    assert!(spread(&lively) > 1.3 * spread(&flat), "{} vs {}", spread(&lively), spread(&flat));
    for x in [&fast, &flat, &lively] {
        assert!(x.iter().all(|s| s.abs() < 1.0) && rms(x) > 0.03);
    }
}

#[test]
fn wav_stream_is_pcm_with_a_streaming_header() {
    let s = say(REMINDER_TEXT);
    for (wav, pcm_format) in [(Format::Wav16k, Format::Pcm16k), (Format::Wav22k, Format::Pcm22k)] {
        let w = render_with(&s, "ren", Settings::default(), wav).bytes();
        let p = render_with(&s, "ren", Settings::default(), pcm_format).bytes();
        assert_eq!(&w[0..4], b"RIFF");
        assert_eq!(&w[8..16], b"WAVEfmt ");
        assert_eq!(&w[4..8], &[0xFF; 4], "RIFF size unknown while streaming");
        assert_eq!(&w[40..44], &[0xFF; 4], "data size unknown while streaming");
        assert_eq!(u32::from_le_bytes([w[24], w[25], w[26], w[27]]), wav.sample_rate());
        assert_eq!(&w[44..], &p[..], "WAV data is the PCM stream");
    }
}

#[test]
fn mulaw_carries_the_same_speech() {
    let s = say(REMINDER_TEXT);
    let u = render_with(&s, "marlow", Settings::default(), Format::Ulaw8k);
    let p = render_with(&s, "marlow", Settings::default(), Format::Pcm16k);
    let decoded: Vec<f32> = u.bytes().iter().map(|&b| synth::audio::mulaw_decode(b) as f32 / 32768.0).collect();
    let linear = samples(&p.bytes());
    // Same length in time, and nearly the same level (speech has little energy above 4 kHz).
    assert!((decoded.len() * 2).abs_diff(linear.len()) <= 4, "{} vs {}", decoded.len(), linear.len());
    let (ru, rp) = (rms(&decoded), rms(&linear));
    assert!((20.0 * (ru / rp).log10()).abs() < 1.5, "{ru} vs {rp}");
    assert_eq!(u.outcome.duration_ms().abs_diff(p.outcome.duration_ms()), 0);
}

#[test]
fn streams_phrase_by_phrase_and_stops_when_the_sink_refuses() {
    let s = say(&format!("{REMINDER_TEXT} {REMINDER_TEXT}"));
    assert_eq!(s.len(), 2);
    let all = render_with(&s, "alba", Settings::default(), Format::Wav16k);
    assert!(all.chunks.len() >= 4, "one chunk per phrase: {}", all.chunks.len());
    assert_eq!(&all.chunks[0][0..4], b"RIFF");
    // The first chunk is the start of "hello": a small part of the whole.
    assert!(all.chunks[0].len() * 5 < all.bytes().len());

    let voice = voices::find("alba").expect("alba");
    let mut pushes = 0;
    let outcome = synth::speak(&s, voice, &Settings::default(), Format::Wav16k, &mut |_c: &[u8]| {
        pushes += 1;
        if pushes > 1 { Err("caller hung up".to_string()) } else { Ok(()) }
    });
    assert_eq!(pushes, 2, "no pushes after a refusal");
    assert_eq!(outcome.stopped.as_deref(), Some("caller hung up"));
    let first_ms = ((all.chunks[0].len() - 44) / 2 * 1000 / 16000) as u32;
    assert_eq!(outcome.duration_ms(), first_ms, "duration counts what the sink took");
}
