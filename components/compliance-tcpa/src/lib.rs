//! compliance-tcpa: the Telephone Consumer Protection Act (47 CFR 64.1200) and the state
//! telemarketing rules beyond it, as Switchboard's compliance checker
//! (`switchboard:compliance/checker`).
//!
//! The rules are pure functions (`decide`, `hours`, `states`, `holidays`, `frequency`,
//! `consent`, `dnc`, `number`, `zones`) over records kept through `wasi:keyvalue` (`store`,
//! `kv_wasi`), with settings from `wasi:config` (`config`). This file is the component glue:
//! the WIT bindings, the clock, and the store and settings of each call.

pub mod audit;
pub mod config;
pub mod consent;
mod convert;
pub mod data;
pub mod decide;
pub mod dnc;
pub mod frequency;
pub mod holidays;
pub mod hours;
mod kv_wasi;
pub mod ledger;
pub mod lists;
pub mod model;
pub mod number;
pub mod reservation;
pub mod service;
pub mod states;
pub mod store;
pub mod zones;

wit_bindgen::generate!({
    path: ["../../wit/deps/wasi-keyvalue", "../../wit/deps/wasi-config", "../../wit/compliance", "wit"],
    world: "switchboard:compliance-tcpa/tcpa",
    // The world imports and exports interfaces of other packages.
    generate_all,
});

use exports::switchboard::compliance::checker::{
    AuditPage, CallRequest, ClaimResult, ComplianceError, ConsentInput, ConsentRecord, ConsentStatus, Decision,
    DncEntry, DncStatus, Guest, ImportSummary,
};
use kv_wasi::WasiKv;

/// The WIT source, embedded as a custom section so that Switchboard can show its doc comments
/// as tool descriptions: the component toolchain drops them from the built `.wasm`.
#[unsafe(link_section = "switchboard-wit")]
#[used]
static WIT: [u8; include_bytes!("../wit/world.wit").len()] = *include_bytes!("../wit/world.wit");

/// The component. Natively (unit tests) nothing exports it: the WIT export names contain
/// `:` and `/`, which a native linker rejects, so `export!` is for wasm only.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
struct Checker;

/// Now, in seconds since the Unix epoch.
fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// The settings granted for this call (read afresh each call: the operator may change them).
fn settings() -> Result<config::Settings, model::Error> {
    let pairs = wasi::config::store::get_all().map_err(|e| {
        let m = match e {
            wasi::config::store::Error::Upstream(m) | wasi::config::store::Error::Io(m) => m,
        };
        model::Error::Storage(format!("the settings cannot be read ({m}); try again"))
    })?;
    config::Settings::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
}

/// Runs an operation against the component's store.
fn with_kv<T, U: From<T>>(op: impl FnOnce(&WasiKv) -> Result<T, model::Error>) -> Result<U, ComplianceError> {
    let kv = WasiKv::open()?;
    op(&kv).map(Into::into).map_err(Into::into)
}

impl Guest for Checker {
    fn check(request: CallRequest) -> Result<Decision, ComplianceError> {
        let settings = settings()?;
        with_kv(|kv| service::check(kv, now(), &settings, &request.into()))
    }

    fn reserve(request: CallRequest) -> Result<Decision, ComplianceError> {
        let settings = settings()?;
        with_kv(|kv| service::reserve(kv, now(), &settings, &request.into()))
    }

    fn claim(reservation: String) -> Result<ClaimResult, ComplianceError> {
        with_kv(|kv| reservation::claim(kv, now(), &reservation))
    }

    fn confirm(reservation: String, call_id: String) -> Result<(), ComplianceError> {
        with_kv(|kv| reservation::confirm(kv, now(), &reservation, &call_id))
    }

    fn release(reservation: String, why: String) -> Result<(), ComplianceError> {
        with_kv(|kv| reservation::release(kv, now(), &reservation, &why))
    }

    fn record_attempt(
        phone_number: String,
        subject: Option<String>,
        at: Option<i64>,
        call_id: Option<String>,
    ) -> Result<(), ComplianceError> {
        with_kv(|kv| service::record_attempt(kv, now(), &phone_number, subject.as_deref(), at, call_id.as_deref()))
    }

    fn verify_consent(phone_number: String, scope: Option<String>) -> Result<ConsentStatus, ComplianceError> {
        with_kv(|kv| service::verify_consent(kv, &phone_number, scope.as_deref()))
    }

    fn record_consent(consent: ConsentInput) -> Result<ConsentRecord, ComplianceError> {
        with_kv(|kv| service::record_consent(kv, now(), &consent.into()))
    }

    fn revoke_consent(
        phone_number: String,
        means: String,
        note: Option<String>,
    ) -> Result<Vec<ConsentRecord>, ComplianceError> {
        let kv = WasiKv::open()?;
        let revoked = service::revoke_consent(&kv, now(), &phone_number, &means, note.as_deref())?;
        Ok(revoked.into_iter().map(Into::into).collect())
    }

    fn check_dnc(phone_number: String) -> Result<DncStatus, ComplianceError> {
        with_kv(|kv| lists::check_dnc(kv, now(), &phone_number))
    }

    fn add_to_dnc(
        phone_number: String,
        reason: Option<String>,
        source: Option<String>,
    ) -> Result<DncEntry, ComplianceError> {
        with_kv(|kv| lists::add_to_dnc(kv, now(), &phone_number, reason.as_deref(), source.as_deref()))
    }

    fn remove_from_dnc(phone_number: String, reason: String) -> Result<bool, ComplianceError> {
        with_kv(|kv| lists::remove_from_dnc(kv, now(), &phone_number, &reason))
    }

    fn import_dnc_registry(content: String, downloaded_at: Option<i64>) -> Result<ImportSummary, ComplianceError> {
        with_kv(|kv| lists::import_dnc_registry(kv, now(), &content, downloaded_at))
    }

    fn audit(
        phone_number: Option<String>,
        since: Option<i64>,
        cursor: Option<String>,
        limit: Option<u32>,
    ) -> Result<AuditPage, ComplianceError> {
        with_kv(|kv| lists::audit(kv, phone_number.as_deref(), since, cursor.as_deref(), limit))
    }
}

#[cfg(target_arch = "wasm32")]
export!(Checker);
