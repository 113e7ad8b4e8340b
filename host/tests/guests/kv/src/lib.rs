//! Test guest: durable state through `wasi:keyvalue` (store, atomics, batch).

wit_bindgen::generate!({
    path: ["../../../../wit/deps/wasi-keyvalue-draft", "wit"],
    world: "switchboard-test:kv/kv-guest",
    generate_all,
});

use exports::switchboard_test::kv::kv::Guest;
use wasi::keyvalue::{atomics, batch, store};

fn open(bucket: &str) -> Result<store::Bucket, String> {
    store::open(bucket).map_err(describe)
}

fn describe(e: store::Error) -> String {
    match e {
        store::Error::NoSuchStore => "no such store".into(),
        store::Error::AccessDenied => "access denied".into(),
        store::Error::Other(m) => m,
    }
}

struct Kv;

impl Guest for Kv {
    fn put(bucket: String, key: String, value: String) -> Result<(), String> {
        open(&bucket)?.set(&key, value.as_bytes()).map_err(describe)
    }

    fn get(bucket: String, key: String) -> Result<Option<String>, String> {
        let value = open(&bucket)?.get(&key).map_err(describe)?;
        Ok(value.map(|v| String::from_utf8_lossy(&v).into_owned()))
    }

    fn incr(bucket: String, key: String, delta: u64) -> Result<u64, String> {
        atomics::increment(&open(&bucket)?, &key, delta).map_err(describe)
    }

    fn keys(bucket: String) -> Result<Vec<String>, String> {
        let bucket = open(&bucket)?;
        let (mut all, mut cursor) = (Vec::new(), None);
        loop {
            let page = bucket.list_keys(cursor).map_err(describe)?;
            all.extend(page.keys);
            match page.cursor {
                Some(next) => cursor = Some(next),
                None => return Ok(all),
            }
        }
    }

    fn put_many(bucket: String, pairs: Vec<(String, String)>) -> Result<u32, String> {
        let bucket = open(&bucket)?;
        let values: Vec<(String, Vec<u8>)> = pairs.iter().map(|(k, v)| (k.clone(), v.clone().into_bytes())).collect();
        batch::set_many(&bucket, &values).map_err(describe)?;
        let keys: Vec<String> = pairs.into_iter().map(|(k, _)| k).collect();
        let found = batch::get_many(&bucket, &keys).map_err(describe)?;
        Ok(found.iter().filter(|v| v.is_some()).count() as u32)
    }
}

export!(Kv);
