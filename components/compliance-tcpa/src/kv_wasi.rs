//! The store over `wasi:keyvalue` (store, atomics with compare-and-swap, batch; revision 0.2.0-draft2), in the host's namespace for this
//! component (its policy must say `keyvalue = true`).

use crate::model::Error;
use crate::store::{BUCKET, Kv, Watched};
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
        let delta =
            i64::try_from(delta).map_err(|_| Error::Storage(format!("counter `{key}`: delta {delta} is too large")))?;
        let value = atomics::increment(&self.bucket, key, delta).map_err(describe)?;
        u64::try_from(value)
            .map_err(|_| Error::Storage(format!("counter `{key}` holds {value}, not a count; nothing was recorded")))
    }

    fn watch(&self, key: &str) -> Result<Watched, Error> {
        let cas = atomics::Cas::new(&self.bucket, key).map_err(describe)?;
        let current = cas.current().map_err(describe)?;
        Ok(Watched { key: key.to_owned(), current, handle: Box::new(cas) })
    }

    fn swap(&self, watched: Watched, value: Vec<u8>) -> Result<bool, Error> {
        let cas = watched
            .handle
            .downcast::<atomics::Cas>()
            .map_err(|_| Error::Storage("a compare-and-swap handle of another store; nothing was recorded".into()))?;
        match atomics::swap(*cas, &value) {
            Ok(()) => Ok(true),
            // The fresh handle is dropped: the caller starts over from a new read.
            Err(atomics::CasError::CasFailed(_)) => Ok(false),
            Err(atomics::CasError::StoreError(e)) => Err(describe(e)),
        }
    }
}
