//! The ids of a client's requests in flight. JSON-RPC asks a client to give each request its
//! own id; a request reusing one still in flight would have the two replies confused (rmcp
//! routes replies and cancellations by id), so the second is refused with -32600 instead.
//!
//! Keys are the id's JSON text (so `1` and `"1"` are different ids), scoped by the HTTP
//! session over Streamable HTTP.

use serde_json::Value;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};

#[derive(Default)]
pub struct InFlight {
    ids: Mutex<HashSet<String>>,
}

/// Holds one id in flight until dropped.
pub struct Claim {
    set: Arc<InFlight>,
    key: String,
}

impl InFlight {
    /// The key of request `id` in `scope` (a session id, or "" for a stream of its own).
    pub fn key(scope: &str, id: &Value) -> String {
        format!("{scope}\u{0}{id}")
    }

    /// Marks `key` in flight; false if it already is.
    pub fn start(&self, key: String) -> bool {
        self.ids.lock().unwrap_or_else(|e| e.into_inner()).insert(key)
    }

    /// `key` is answered (or cancelled, so never answered): its id may be used again.
    pub fn finish(&self, key: &str) {
        self.ids.lock().unwrap_or_else(|e| e.into_inner()).remove(key);
    }

    /// Like [`Self::start`], with the id finished when the claim is dropped.
    pub fn claim(self: &Arc<Self>, key: String) -> Option<Claim> {
        self.start(key.clone()).then(|| Claim { set: self.clone(), key })
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.ids.lock().unwrap().len()
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        self.set.finish(&self.key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_id_is_refused_only_while_in_flight_and_only_in_its_scope() {
        let set = Arc::new(InFlight::default());
        let one = InFlight::key("s1", &json!(1));
        let claim = set.claim(one.clone()).expect("a fresh id");
        assert!(set.claim(one.clone()).is_none(), "the same id, in flight");
        assert!(set.start(InFlight::key("s1", &json!("1"))), "a string is another id");
        assert!(set.start(InFlight::key("s2", &json!(1))), "another session");
        drop(claim);
        assert!(set.claim(one).is_some(), "answered, so free again");
        set.finish(&InFlight::key("s1", &json!("1")));
        set.finish(&InFlight::key("s2", &json!(1)));
        assert_eq!(set.len(), 0);
    }
}
