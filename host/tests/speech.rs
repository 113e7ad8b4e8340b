//! The speech role end to end: the real binary, the rmcp client over stdio, the built-in
//! offline voice (tts_formant) and classifier (classifier_text).

use crate::audio::{Wav, parse_wav};
use crate::common::{Fixture, Session, text};
use base64::Engine as _;
use rmcp::model::CallToolResult;
use serde_json::{Value, json};

/// The audio content of a result, decoded, with its MIME type.
fn audio_of(result: &CallToolResult) -> (Vec<u8>, String) {
    let audio = result.content.iter().find_map(|c| c.as_audio()).expect("an audio content block");
    let bytes = base64::engine::general_purpose::STANDARD.decode(&audio.data).expect("base64 audio");
    (bytes, audio.mime_type.clone())
}

async fn speak(session: &Session, args: Value) -> (Wav, Value) {
    let result = session.call("speak", args.clone()).await;
    assert_ne!(result.is_error, Some(true), "speak({args}) failed: {}", text(&result));
    let (bytes, mime) = audio_of(&result);
    assert_eq!(mime, "audio/wav");
    (parse_wav(&bytes), result.structured_content.expect("metadata"))
}

#[tokio::test]
async fn speak_returns_playable_audio_and_metadata_and_caches_it() {
    let fx = Fixture::new();
    let session = fx.serve().await;
    let text = "Hello, this is a reminder about your appointment tomorrow at nine thirty.";
    let (wav, meta) = speak(&session, json!({ "text": text })).await;
    assert_eq!(wav.sample_rate, 22050);
    assert_eq!(meta["format"], "wav_22050");
    assert_eq!(meta["sample_rate"], 22050);
    assert_eq!(meta["provider"]["id"], "formant");
    assert_eq!(meta["provider"]["component"], "tts_formant");
    assert_eq!(meta["cached"], false);
    let duration = meta["duration_ms"].as_u64().unwrap();
    assert!((wav.duration_ms() - duration as f64).abs() < 2.0, "{} vs {duration}", wav.duration_ms());
    assert!((2500..9000).contains(&duration), "a 12-word sentence lasts a few seconds, not {duration} ms");
    assert!(meta["timing"]["first_chunk_ms"].as_f64().unwrap() <= meta["timing"]["total_ms"].as_f64().unwrap());
    assert!(meta["context"]["sentences"].as_u64() == Some(1), "{meta}");

    let (again, meta2) = speak(&session, json!({ "text": format!("  {text} ") })).await;
    assert_eq!(meta2["cached"], true, "the same text, spaced differently, is a cache hit");
    assert_eq!(again.samples, wav.samples);
    let status = session.ok("get_server_status", json!({})).await;
    assert_eq!(status["cache"]["hits"], 1);
    assert_eq!(status["cache"]["misses"], 1);
    // Without a key, ElevenLabs is listed first but unavailable, and the offline voice speaks.
    let providers = status["providers"].as_array().unwrap();
    let active: Vec<&Value> = providers.iter().filter(|p| p["active"] == true).collect();
    assert_eq!((active.len(), active[0]["id"].as_str()), (1, Some("formant")), "{status}");
    let elevenlabs = providers.iter().find(|p| p["id"] == "elevenlabs").unwrap();
    assert!(elevenlabs["unavailable"].as_str().unwrap().contains("ELEVENLABS_API_KEY"));
    assert_eq!(status["classifier"], "classifier_text");
    session.close().await;
}

#[tokio::test]
async fn what_a_listener_notices() {
    let fx = Fixture::new();
    let session = fx.serve().await;
    let plain = json!({ "context_aware": false, "format": "wav_16000" });
    let with = |text: &str| {
        let mut args = plain.clone();
        args["text"] = json!(text);
        args
    };

    // Longer text, longer audio.
    let (short, _) = speak(&session, with("Thank you.")).await;
    let (long, _) = speak(&session, with("Thank you for calling. We will call you back tomorrow afternoon.")).await;
    assert!(long.duration_ms() > short.duration_ms() * 2.0, "{} vs {}", long.duration_ms(), short.duration_ms());

    // A comma is a pause.
    let (comma, _) = speak(&session, with("Yes, we can do that.")).await;
    let (no_comma, _) = speak(&session, with("Yes we can do that.")).await;
    assert!(comma.longest_inner_pause_ms() >= 100, "pause after the comma: {} ms", comma.longest_inner_pause_ms());
    assert!(comma.duration_ms() > no_comma.duration_ms() + 80.0);

    // A yes/no question rises at the end; a statement falls.
    let (question, _) = speak(&session, with("You are coming?")).await;
    let (statement, _) = speak(&session, with("You are coming.")).await;
    let rise = question.final_pitch_ratio(10);
    let fall = statement.final_pitch_ratio(10);
    assert!(rise > 1.1, "the question should rise at the end: ratio {rise}");
    assert!(fall < 0.9, "the statement should fall at the end: ratio {fall}");

    // The voices differ in pitch.
    let mut pitches = Vec::new();
    for voice in ["alba", "marlow", "juniper"] {
        let mut args = with("We are calling about your appointment.");
        args["voice"] = json!(voice);
        let (wav, meta) = speak(&session, args).await;
        assert_eq!(meta["voice"], voice);
        pitches.push(wav.mean_pitch());
    }
    assert!(pitches[0] > pitches[1] * 1.4, "alba should be well above marlow: {pitches:?}");
    assert!((pitches[2] - pitches[1]).abs() > 20.0, "juniper should differ from marlow: {pitches:?}");
    session.close().await;
}

#[tokio::test]
async fn numbers_dates_and_times_are_read_as_words() {
    let fx = Fixture::new();
    let session = fx.serve().await;
    let read = session.ok("tts_formant_normalize", json!({ "text": "$42.50 on 3/14 at 9:30am" })).await;
    let read = read["value"].as_str().unwrap().to_lowercase();
    for words in ["forty two dollars", "fifty cents", "march fourteenth", "nine thirty"] {
        assert!(read.contains(words), "`{read}` should contain `{words}`");
    }
    assert!(!read.chars().any(|c| c.is_ascii_digit()), "no digits left in `{read}`");
    let phone = session.ok("tts_formant_normalize", json!({ "text": "Call 555-123-4567." })).await;
    let phone = phone["value"].as_str().unwrap().to_lowercase();
    assert!(phone.contains("five five five"), "phone numbers are read digit by digit: `{phone}`");
    let phonemes = session.ok("tts_formant_phonemes", json!({ "text": "Hello, world" })).await;
    assert!(phonemes["value"].as_str().unwrap().contains(" | "), "a comma is a phrase break: {phonemes}");
    session.close().await;
}

#[tokio::test]
async fn bad_input_says_what_to_change() {
    let fx = Fixture::new();
    let session = fx.serve().await;
    let cases = [
        (json!({ "text": "   " }), "empty"),
        (json!({ "text": "x".repeat(6000) }), "at most"),
        (json!({ "text": "Hi.", "voice": "nobody" }), "alba"),
        (json!({ "text": "Hi.", "format": "flac_44100" }), "wav_22050"),
        (json!({ "text": "Hi.", "format": "mp3_44100_128" }), "it makes"),
        (json!({ "text": "Hi.", "language": "fr" }), "it speaks: en"),
        (json!({ "text": "Hi.", "settings": { "speed": 9.0 } }), "settings.speed"),
        (json!({ "text": "Hi.", "settings": { "loudness": 1.0 } }), "unknown field"),
        (json!({ "txt": "Hi." }), "unknown field"),
        (json!({ "text": "Call me on 555-867-5309.", "refuse_personal_data": true }), "phone number"),
    ];
    for (args, expected) in cases {
        let message = session.fails("speak", args.clone()).await;
        assert!(message.contains(expected), "speak({args}) said `{message}`, expected it to mention `{expected}`");
    }
    let warned = session.ok("speak", json!({ "text": "Call me on 555-867-5309." })).await;
    assert!(warned["warnings"][0].as_str().unwrap().contains("phone number"), "{warned}");
    let message = session.fails("set_default_voice", json!({ "voice": "nobody" })).await;
    assert!(message.contains("marlow"), "{message}");
    session.close().await;
}

#[tokio::test]
async fn the_default_voice_survives_a_restart_and_a_corrupt_file_does_not_crash() {
    let fx = Fixture::new();
    let session = fx.serve().await;
    let before = session.ok("get_default_voice", json!({})).await;
    assert_eq!(before["source"], "provider");
    session.ok("set_default_voice", json!({ "voice": "marlow" })).await;
    session.close().await;

    let session = fx.serve().await;
    let after = session.ok("get_default_voice", json!({})).await;
    assert_eq!((after["default_voice"].as_str(), after["source"].as_str()), (Some("marlow"), Some("preference")));
    let (_, meta) = speak(&session, json!({ "text": "Who is speaking?" })).await;
    assert_eq!(meta["voice"], "marlow");
    let voices = session.ok("list_voices", json!({ "language": "en" })).await;
    let default: Vec<&Value> = voices["voices"].as_array().unwrap().iter().filter(|v| v["default"] == true).collect();
    assert_eq!(default.len(), 1);
    assert_eq!(default[0]["id"], "marlow");
    assert!(session.ok("list_voices", json!({ "language": "de" })).await["voices"].as_array().unwrap().is_empty());
    session.close().await;

    std::fs::write(fx.preferences(), "{ not json").unwrap();
    let session = fx.serve().await;
    let status = session.ok("get_server_status", json!({})).await;
    assert!(status["preferences"]["problem"].as_str().unwrap().contains("not valid"), "{status}");
    assert_eq!(session.ok("get_default_voice", json!({})).await["source"], "provider");
    session.close().await;
    assert!(fx.preferences().with_extension("json.corrupt").exists(), "the corrupt file is kept aside");
}

#[tokio::test]
async fn refusing_personal_data_without_a_classifier_refuses_to_speak() {
    let fx = Fixture::new();
    fx.append_config("\n[speech]\nclassifier = \"no_such_classifier\"\n");
    let session = fx.serve().await;
    let message = session.fails("speak", json!({ "text": "Call 555-867-5309.", "refuse_personal_data": true })).await;
    assert!(message.contains("no classifier"), "{message}");
    let meta = session.ok("speak", json!({ "text": "Call 555-867-5309." })).await;
    assert!(meta["context"].is_null(), "no classifier, no context: {meta}");
    session.close().await;
}

#[tokio::test]
async fn concurrent_identical_requests_share_one_synthesis() {
    let fx = Fixture::new();
    let session = fx.serve().await;
    let args = json!({ "text": "Your package will arrive on Tuesday between noon and three." });
    let calls = (0..8).map(|_| session.call("speak", args.clone()));
    let results = futures::future::join_all(calls).await;
    assert!(results.iter().all(|r| r.is_error != Some(true)));
    let status = session.ok("get_server_status", json!({})).await;
    assert_eq!((status["cache"]["misses"].as_u64(), status["cache"]["hits"].as_u64()), (Some(1), Some(7)));
    session.close().await;
}

#[tokio::test]
async fn telephony_audio_is_raw_mu_law_at_8_khz() {
    let fx = Fixture::new();
    let session = fx.serve().await;
    let result = session.call("speak", json!({ "text": "Press one to confirm.", "format": "ulaw_8000" })).await;
    let (bytes, mime) = audio_of(&result);
    assert_eq!(mime, "audio/basic");
    let meta = result.structured_content.unwrap();
    assert_eq!(meta["duration_ms"].as_u64().unwrap(), bytes.len() as u64 / 8);
    // mu-law silence is 0xFF/0x7F; speech uses many code words.
    let distinct = bytes.iter().collect::<std::collections::BTreeSet<_>>().len();
    assert!(distinct > 64, "only {distinct} distinct mu-law bytes");
    session.close().await;
}

#[tokio::test]
async fn classify_text_reports_kinds_intent_and_quality() {
    let fx = Fixture::new();
    let session = fx.serve().await;
    let out = session.ok("classify_text", json!({ "text": "Stop calling me. Take me off your list!" })).await;
    assert_eq!(out["intent"]["label"], "opt-out", "{out}");
    assert_eq!(out["analysis"]["sentences"].as_array().unwrap().len(), 2);
    let q = session.ok("classify_text", json!({ "text": "Are you free? My card is 4111 1111 1111 1111." })).await;
    assert_eq!(q["analysis"]["sentences"][0]["kind"], "question");
    assert_eq!(q["analysis"]["sentences"][0]["intonation"], "rising");
    assert_eq!(q["quality"]["personal_data"][0]["kind"], "card-number", "{q}");
    session.close().await;
}

#[tokio::test]
async fn cli_writes_the_audio_to_a_file() {
    let fx = Fixture::new();
    let out = fx.dir.path().join("hello.wav");
    let path = out.to_str().unwrap();
    let (code, stdout, stderr) =
        fx.run(&["call", "speak", r#"{"text": "Hello from Switchboard."}"#, "--audio-out", path]).await;
    assert_eq!(code, 0, "{stderr}");
    let wav = parse_wav(&std::fs::read(&out).unwrap());
    assert!(wav.duration_ms() > 500.0);
    let meta: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(meta["bytes"].as_u64().unwrap(), std::fs::metadata(&out).unwrap().len());
}
