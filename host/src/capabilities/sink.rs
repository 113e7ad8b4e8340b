//! `switchboard:tts/sink`: where a TTS provider pushes its audio during `synthesize`, chunk
//! by chunk, up to the policy's `max_result_kib`. Outside a synthesis there is no sink.

use crate::contracts::tts::{sink, types};
use tokio::sync::mpsc::Sender;
use wasmtime::component::{HasSelf, Linker};

/// A call's audio sink.
pub struct Sink {
    tx: Option<Sender<Vec<u8>>>,
    /// Audio bytes pushed so far, and the most the policy allows.
    bytes: u64,
    limit: u64,
    /// Set, with the size reached, when a provider pushed more audio than allowed.
    overflow: Option<u64>,
}

impl Sink {
    pub fn new(tx: Option<Sender<Vec<u8>>>, limit: u64) -> Self {
        Self { tx, bytes: 0, limit, overflow: None }
    }

    /// How much audio the provider tried to push past its limit, if it did.
    pub fn overflow(&self) -> Option<u64> {
        self.overflow
    }
}

/// The state that holds a [`Sink`].
pub trait SinkState: Send {
    fn sink(&mut self) -> &mut Sink;
}

pub fn add_to_linker<T: SinkState + 'static>(linker: &mut Linker<T>) -> wasmtime::Result<()> {
    sink::add_to_linker::<T, HasSelf<Sink>>(linker, T::sink)
}

impl sink::Host for Sink {
    async fn push(&mut self, chunk: Vec<u8>) -> Result<(), String> {
        let Some(tx) = &self.tx else {
            return Err("no synthesis is in progress: audio can only be pushed during `synthesize`".into());
        };
        self.bytes += chunk.len() as u64;
        if self.bytes > self.limit {
            self.overflow = Some(self.bytes);
            return Err(format!("the audio is longer than the {} bytes the host accepts; stop", self.limit));
        }
        tx.send(chunk).await.map_err(|_| "the host no longer wants this audio (the caller went away); stop".into())
    }
}

impl types::Host for Sink {}
