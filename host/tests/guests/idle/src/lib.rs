//! Test guest with nothing in it but a call that returns and a call that waits, so that the
//! benchmarks' per-call figures (memory in flight above all) are the host's own.

wit_bindgen::generate!({ path: "wit", world: "idle-guest" });

use exports::switchboard_test::idle::idle::Guest;

struct Idle;

impl Guest for Idle {
    fn noop() -> u32 {
        0
    }

    fn sleep(ms: u64) {
        std::thread::sleep(std::time::Duration::from_millis(ms));
    }
}

export!(Idle);
