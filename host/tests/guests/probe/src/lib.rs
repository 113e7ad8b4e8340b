//! Test guest for the Switchboard host's integration tests.
//!
//! Each export pokes at one limit or capability of the host: traps, timeouts,
//! memory and stack limits, and the WASI interfaces a policy may allow or deny.

wit_bindgen::generate!({
    path: ["../../../../wit/progress", "../../../../wit/deps/wasi-logging", "wit"],
    world: "switchboard-test:probe/probe-guest",
    // Also generate bindings for the imported wasi:config/store interface.
    generate_all,
});

use std::hint::black_box;
use std::net::TcpStream;
use std::time::Duration;

use exports::switchboard_test::probe::probe::Guest;
use switchboard::progress::progress;
use wasi::config::store;
use wasi::logging::logging;
use wstd::http::{Body, Client, Request};

/// The WIT source, embedded as a custom section so that Switchboard can show its
/// doc comments as tool descriptions: the component toolchain drops them from the
/// built `.wasm`.
#[unsafe(link_section = "switchboard-wit")]
#[used]
static WIT: [u8; include_bytes!("../wit/world.wit").len()] = *include_bytes!("../wit/world.wit");

/// Bytes in one MiB.
const MIB: usize = 1024 * 1024;
/// Stride used to touch memory: one byte per 4 KiB page.
const PAGE: usize = 4096;

/// In the data segment (the component's memory image), not zero: a reset must copy it back.
static MARK: std::sync::Mutex<[u8; 4]> = std::sync::Mutex::new(*b"orig");
/// In the data segment, a pointer to the heap buffer of the previous call's note, if any.
static NOTE: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);

struct Probe;

impl Guest for Probe {
    fn echo(text: String) -> String {
        text
    }

    fn noop() {}

    fn trap() {
        panic!("probe asked to trap");
    }

    fn spin() {
        let mut turns = 0_u64;
        loop {
            // `black_box` keeps the optimiser from proving the loop does nothing.
            turns = black_box(turns.wrapping_add(1));
        }
    }

    fn allocate(megabytes: u32) -> u32 {
        let bytes = usize::try_from(megabytes)
            .ok()
            .and_then(|mb| mb.checked_mul(MIB))
            .unwrap_or_else(|| panic!("probe could not allocate {megabytes} MiB"));
        let mut buffer: Vec<u8> = Vec::new();
        if buffer.try_reserve_exact(bytes).is_err() {
            panic!("probe could not allocate {megabytes} MiB");
        }
        buffer.resize(bytes, 0);
        for page in buffer.chunks_mut(PAGE) {
            page[0] = 1;
        }
        // Make the writes observable so they cannot be optimised away.
        let buffer = black_box(buffer);
        buffer.chunks(PAGE).fold(0_u32, |sum, page| sum.wrapping_add(u32::from(page[0])))
    }

    fn recurse(depth: u64) -> u64 {
        recurse_forever(depth)
    }

    fn fetch(url: String) -> Result<u16, String> {
        wstd::runtime::block_on(async move {
            let request = Request::get(url).body(Body::empty()).map_err(|e| e.to_string())?;
            let response = Client::new().send(request).await.map_err(|e| format!("{e:#}"))?;
            Ok(response.status().as_u16())
        })
    }

    fn read_file(path: String) -> Result<String, String> {
        std::fs::read_to_string(path).map_err(|e| e.to_string())
    }

    fn read_env(name: String) -> Option<String> {
        std::env::var(name).ok()
    }

    fn tcp_connect(address: String) -> Result<String, String> {
        let stream = TcpStream::connect(&address).map_err(|e| e.to_string())?;
        let peer = stream.peer_addr().map_err(|e| e.to_string())?;
        Ok(peer.to_string())
    }

    fn sleep(ms: u64) {
        std::thread::sleep(Duration::from_millis(ms));
    }

    fn big(bytes: u32) -> String {
        let len = usize::try_from(bytes).expect("u32 fits in usize");
        std::iter::repeat(b'a'..=b'z').flatten().take(len).map(char::from).collect()
    }

    fn config_get(key: String) -> Option<String> {
        match store::get(&key) {
            Ok(value) => value,
            Err(store::Error::Upstream(message) | store::Error::Io(message)) => {
                panic!("wasi:config/store failed for {key:?}: {message}")
            }
        }
    }

    fn remember(note: String) -> String {
        let mut mark = MARK.lock().unwrap_or_else(|e| e.into_inner());
        let before = String::from_utf8_lossy(&*mark).into_owned();
        *mark = *b"used";
        let previous = NOTE.lock().unwrap_or_else(|e| e.into_inner()).replace(note);
        format!("{before}|{}", previous.unwrap_or_default())
    }

    fn count(steps: u32, ms: u64) -> u32 {
        for step in 1..=steps {
            std::thread::sleep(Duration::from_millis(ms));
            progress::report(f64::from(step), Some(f64::from(steps)), Some(&format!("step {step} of {steps}")));
        }
        steps
    }

    fn log_lines(count: u32) {
        for n in 0..count {
            let level = if n % 2 == 0 { logging::Level::Info } else { logging::Level::Warn };
            logging::log(level, "probe", &format!("record {n}"));
        }
    }
}

/// Recursion with no reachable base case. The call goes through an opaque
/// function pointer and its result is used afterwards, so the optimiser can
/// neither inline it nor turn it into a loop.
#[inline(never)]
fn recurse_forever(depth: u64) -> u64 {
    let next: fn(u64) -> u64 = black_box(recurse_forever);
    let below = next(depth.wrapping_add(1));
    black_box(below).wrapping_add(depth)
}

export!(Probe);
