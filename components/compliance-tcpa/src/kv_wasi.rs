//! The store over `wasi:keyvalue` (store, atomics, batch), in the host's namespace for this
//! component (its policy must say `keyvalue = true`).

use crate::model::Error;
use crate::store::{BUCKET, Kv};
use crate::wasi::keyvalue::{atomics, batch, store};

/// The checker's bucket.
pub struct WasiKv {
    bucket: store::Bucket,
}

impl WasiKv {
    pub fn open() -> Result<Self, Error> {
        store::open(BUCKET).map(|bucket| Self { bucket }).map_err(describe)
    }
}

fn describe(e: store::Error) -> Error {
    Error::Storage(match e {
        store::Error::NoSuchStore => "the host has no state store for this component; nothing was recorded".into(),
        store::Error::AccessDenied => {
            "the host denies this component durable state: set keyvalue = true in its policy; nothing was recorded"
                .into()
        }
        store::Error::Other(m) => format!("{m}; nothing was recorded, try again"),
    })
}

impl Kv for WasiKv {
    fn get_many(&self, keys: &[String]) -> Result<Vec<Option<Vec<u8>>>, Error> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let found = batch::get_many(&self.bucket, keys).map_err(describe)?;
        if found.len() != keys.len() {
            return Err(Error::Storage(format!(
                "the state store answered {} values for {} keys; nothing was recorded, try again",
                found.len(),
                keys.len()
            )));
        }
        Ok(found.into_iter().map(|v| v.map(|(_, value)| value)).collect())
    }

    fn set_many(&self, pairs: &[(String, Vec<u8>)]) -> Result<(), Error> {
        if pairs.is_empty() {
            return Ok(());
        }
        batch::set_many(&self.bucket, pairs).map_err(describe)
    }

    fn delete(&self, key: &str) -> Result<(), Error> {
        self.bucket.delete(key).map_err(describe)
    }

    fn increment(&self, key: &str, delta: u64) -> Result<u64, Error> {
        atomics::increment(&self.bucket, key, delta).map_err(describe)
    }
}
