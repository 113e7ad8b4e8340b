//! Audio served by URL (`/audio/{id}`): `speak` with `delivery: link` answers at once with a
//! resource link whose URL streams the audio as the provider makes it; a finished clip answers
//! `HEAD` and byte ranges; links expire, and the bytes kept are capped.

use crate::common::calling::free_port;
use crate::common::{Fixture, Session, text};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use switchboard_fakes::elevenlabs::FakeElevenLabs;

const KEY: &str = "xi-test-audio-urls-never-logged";

async fn serve(fx: &Fixture, port: u16, env: &[(&str, &str)]) -> Session {
    let http = format!("127.0.0.1:{port}");
    fx.serve_with(&["--http", &http, "--stdio"], env).await
}

/// `speak` with `delivery: link`: the URL, from the resource link and the structured result.
async fn link(session: &Session, args: Value) -> String {
    let result = session.call("speak", args.clone()).await;
    assert_ne!(result.is_error, Some(true), "speak({args}) failed: {}", text(&result));
    let link = result.content.iter().find_map(|c| c.as_resource_link()).expect("a resource_link").clone();
    let meta = result.structured_content.unwrap();
    assert_eq!(meta["delivery"], "link");
    assert_eq!(meta["audio_url"], link.uri.as_str());
    assert_eq!(link.mime_type.as_deref(), meta["mime_type"].as_str());
    assert!(meta["expires_in_seconds"].as_u64().unwrap() > 0);
    link.uri
}

#[tokio::test]
async fn a_link_streams_as_the_provider_speaks_then_answers_head_and_ranges() {
    let fake = FakeElevenLabs::start().await.unwrap();
    fake.set_api_key(KEY);
    // 3,200-byte chunks (0.1 s of 16 kHz audio) every 60 ms.
    fake.set_chunk_size(3200);
    fake.set_chunk_interval(Duration::from_millis(60));
    let fx = Fixture::new();
    fx.append_config(&fake.host_config(20_000));
    let session = serve(&fx, free_port(), &[("ELEVENLABS_API_KEY", KEY)]).await;
    let text = "This sentence streams to whoever fetches its link, chunk by chunk, while it is being spoken.";
    let url = link(&session, json!({ "text": text, "format": "wav_16000", "delivery": "link" })).await;

    // Fetched at once: the first bytes come long before the last.
    let client = switchboard_fakes::client();
    let started = Instant::now();
    let mut response = client.get(&url).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "audio/wav");
    assert!(response.headers().get("content-length").is_none(), "a clip being made has no length yet");
    let mut streamed = Vec::new();
    let mut first = None;
    while let Some(chunk) = response.chunk().await.unwrap() {
        first.get_or_insert(started.elapsed());
        streamed.extend_from_slice(&chunk);
    }
    let (first, total) = (first.unwrap(), started.elapsed());
    assert!(first + Duration::from_millis(500) < total, "first byte at {first:?}, the last at {total:?}");
    assert_eq!(&streamed[4..8], &u32::MAX.to_le_bytes(), "a streamed WAV says its length is unknown");

    // Finished: the whole file, with its real sizes, and ranges of it.
    let whole = client.get(&url).send().await.unwrap();
    let length: usize = whole.headers()["content-length"].to_str().unwrap().parse().unwrap();
    let whole = whole.bytes().await.unwrap();
    assert_eq!(length, whole.len());
    assert_eq!(whole[44..], streamed[44..], "the stream carried the same audio");
    let wav = crate::audio::parse_wav(&whole);
    assert_eq!(wav.sample_rate, 16000);

    let head = client.head(&url).send().await.unwrap();
    assert_eq!(head.status(), 200);
    assert_eq!(head.headers()["content-length"].to_str().unwrap(), length.to_string());
    assert_eq!(head.headers()["accept-ranges"], "bytes");
    let part = client.get(&url).header("Range", "bytes=0-43").send().await.unwrap();
    assert_eq!(part.status(), 206);
    assert_eq!(part.headers()["content-range"].to_str().unwrap(), format!("bytes 0-43/{length}"));
    assert_eq!(part.bytes().await.unwrap(), whole[..44]);
    let tail = client.get(&url).header("Range", "bytes=-10").send().await.unwrap().bytes().await.unwrap();
    assert_eq!(tail, whole[length - 10..]);
    let outside = client.get(&url).header("Range", format!("bytes={length}-")).send().await.unwrap();
    assert_eq!(outside.status(), 416);

    // Ids are capabilities: anything else is not found.
    let base = url.rsplit_once('/').unwrap().0;
    for wrong in [format!("{base}/{}", "0".repeat(48)), format!("{base}/nope"), format!("{base}/{}", "g".repeat(48))] {
        assert_eq!(client.get(&wrong).send().await.unwrap().status(), 404, "{wrong}");
    }
    let logs = session.close().await;
    assert!(!logs.contains(text) && !logs.contains(KEY), "neither the text nor the key is logged");
}

#[tokio::test]
async fn links_expire_and_the_bytes_kept_are_capped() {
    let fx = Fixture::new();
    fx.append_config("\n[speech]\naudio_url_ttl_seconds = 2\naudio_url_max_mb = 1\n");
    let session = serve(&fx, free_port(), &[]).await;
    let client = switchboard_fakes::client();

    let url = link(&session, json!({ "text": "Soon gone.", "delivery": "link" })).await;
    assert_eq!(client.get(&url).send().await.unwrap().status(), 200);
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(client.get(&url).send().await.unwrap().status(), 404, "expired");

    // About 400 KB each at 22,050 Hz: a 1 MiB cap keeps the last two or three.
    let long = "This is a long sentence that takes a good many seconds to say out loud, on purpose. ".repeat(3);
    let mut urls = Vec::new();
    for n in 0..6 {
        let result = session.call("speak", json!({ "text": format!("{n}. {long}"), "delivery": "both" })).await;
        assert_ne!(result.is_error, Some(true), "{}", text(&result));
        let meta = result.structured_content.unwrap();
        assert!(result.content.iter().any(|c| c.as_audio().is_some()), "both: inline audio too");
        urls.push(meta["audio_url"].as_str().unwrap().to_owned());
    }
    let mut served = Vec::new();
    for url in &urls {
        served.push(client.get(url).send().await.unwrap().status() == 200);
    }
    assert!(served[5], "the newest is kept: {served:?}");
    assert!(!served[0], "the oldest gave way to the cap: {served:?}");
    session.close().await;
}

#[tokio::test]
async fn a_link_without_a_url_to_serve_it_says_how_to_get_one() {
    let fx = Fixture::new();
    let session = fx.serve().await;
    let message = session.fails("speak", json!({ "text": "Hello.", "delivery": "link" })).await;
    assert!(message.contains("--http") && message.contains("inline"), "{message}");
    let bad = session.fails("speak", json!({ "text": "", "delivery": "link" })).await;
    assert!(bad.contains("empty") || bad.contains("invalid arguments"), "{bad}");
    session.close().await;
}
