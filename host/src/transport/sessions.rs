//! HTTP sessions that end: a client that sends `DELETE /mcp` for its session is done with
//! it, so the calls it still has running stop at once rather than after rmcp's drain of
//! in-flight replies (which no one would read).
//!
//! Only sessions with a call in flight have an entry; the last call out removes it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio_util::sync::CancellationToken;

#[derive(Default)]
pub struct Sessions {
    running: Mutex<HashMap<String, (CancellationToken, usize)>>,
}

/// Held by a call for as long as it runs in its session.
pub struct InSession {
    sessions: Arc<Sessions>,
    id: String,
    pub ended: CancellationToken,
}

impl Sessions {
    /// Registers a call running in session `id`; its `ended` fires if the session is deleted.
    pub fn enter(self: &Arc<Self>, id: &str) -> InSession {
        let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
        let (token, calls) = running.entry(id.to_owned()).or_insert_with(|| (CancellationToken::new(), 0));
        *calls += 1;
        InSession { sessions: self.clone(), id: id.to_owned(), ended: token.clone() }
    }

    /// The client deleted session `id`: its running calls stop.
    pub fn end(&self, id: &str) {
        let ended = self.running.lock().unwrap_or_else(|e| e.into_inner()).remove(id);
        if let Some((token, calls)) = ended {
            tracing::info!(calls, "session deleted by its client: stopping its calls");
            token.cancel();
        }
    }
}

impl Drop for InSession {
    fn drop(&mut self) {
        let mut running = self.sessions.running.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((token, calls)) = running.get_mut(&self.id)
            && token == &self.ended
        {
            *calls -= 1;
            if *calls == 0 {
                running.remove(&self.id);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ending_a_session_stops_its_calls_and_only_its_own() {
        let sessions = Arc::new(Sessions::default());
        let a1 = sessions.enter("a");
        let a2 = sessions.enter("a");
        let b = sessions.enter("b");
        sessions.end("a");
        assert!(a1.ended.is_cancelled() && a2.ended.is_cancelled());
        assert!(!b.ended.is_cancelled());
        // A call that starts after the end belongs to a new entry, which its drop removes.
        let late = sessions.enter("a");
        assert!(!late.ended.is_cancelled());
        drop((a1, a2, late));
        drop(b);
        assert!(sessions.running.lock().unwrap().is_empty());
    }
}
