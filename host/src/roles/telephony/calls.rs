//! The calls this host placed: look one up (refreshed from the carrier on request), list
//! them, end one, record one. Each asks the carrier that placed the call, and notes what the
//! carrier answered in the call's record.

use super::book::Filter;
use super::record::{CallRecord, Recording, Update};
use super::{CallingError, Telephony, carrier_failed, unix_now};
use crate::contracts::telephony::{CallInfo, CarrierError, RecordingInfo};
use crate::runtime::{CallError, LoadedComponent, Runtime, progress};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

/// How often a followed call's record is read again when this host saved nothing new: the
/// carrier's news may land on another host sharing the store.
const FOLLOW_POLL: Duration = Duration::from_secs(2);

impl Telephony {
    /// A call's record; with `refresh`, first asks the carrier for its status.
    pub async fn get(
        &self,
        carriers: &[Arc<LoadedComponent>],
        runtime: &Runtime,
        sid: &str,
        refresh: bool,
    ) -> Result<CallRecord, CallingError> {
        let record = self.record_of(sid).await?;
        if !refresh {
            return Ok(record);
        }
        let info = self.ask(carriers, &record, |carrier| runtime.carrier_get_call(carrier, sid)).await?;
        self.apply(sid, Update { answered_by: info.answered_by.clone(), ..status_of(&info) }).await
    }

    /// Waits until call `sid` is over, or until `until`, reporting each status it takes as
    /// progress (after [`super::PLACING_STEPS`]); returns its record as it then stands.
    pub async fn follow(&self, sid: &str, until: Instant) -> Result<CallRecord, CallingError> {
        let mut saves = self.book.saves();
        let (mut seen, mut changes) = (None, 0.0);
        loop {
            saves.borrow_and_update();
            let record = self.record_of(sid).await?;
            if seen != Some(record.status) {
                seen = Some(record.status);
                changes += 1.0;
                progress::report(super::PLACING_STEPS + changes, None, || {
                    format!("call {sid}: {}", record.status.as_str())
                });
            }
            let now = Instant::now();
            if record.status.is_final() || now >= until {
                return Ok(record);
            }
            let _ = tokio::time::timeout_at(until.min(now + FOLLOW_POLL), saves.changed()).await;
        }
    }

    pub async fn list(&self, filter: &Filter) -> Result<Vec<CallRecord>, CallingError> {
        Ok(self.book.list(filter).await?)
    }

    /// Ends a call through the carrier that placed it; one already over is returned as it is.
    pub async fn end(
        &self,
        carriers: &[Arc<LoadedComponent>],
        runtime: &Runtime,
        sid: &str,
    ) -> Result<CallRecord, CallingError> {
        let record = self.record_of(sid).await?;
        if record.status.is_final() {
            return Ok(record);
        }
        let info = self.ask(carriers, &record, |carrier| runtime.carrier_end_call(carrier, sid)).await?;
        self.apply(sid, status_of(&info)).await
    }

    /// Starts recording a call in progress.
    pub async fn record(
        &self,
        carriers: &[Arc<LoadedComponent>],
        runtime: &Runtime,
        sid: &str,
    ) -> Result<(CallRecord, RecordingInfo), CallingError> {
        let record = self.record_of(sid).await?;
        let info = self.ask(carriers, &record, |carrier| runtime.carrier_start_recording(carrier, sid)).await?;
        let recording = Recording {
            sid: info.sid.clone(),
            status: info.status.clone(),
            url: info.url.clone(),
            duration_seconds: info.duration_seconds,
        };
        let record = self
            .apply(sid, Update { recording: Some(recording), source: "carrier".into(), ..Update::default() })
            .await?;
        Ok((record, info))
    }

    /// Asks the carrier that placed `record`'s call.
    async fn ask<'a, T, Fut>(
        &self,
        carriers: &'a [Arc<LoadedComponent>],
        record: &CallRecord,
        ask: impl FnOnce(&'a LoadedComponent) -> Fut,
    ) -> Result<T, CallingError>
    where
        Fut: Future<Output = Result<Result<T, CarrierError>, CallError>>,
    {
        let carrier = carriers.iter().find(|c| c.name == record.carrier).ok_or_else(|| CallingError::CarrierGone {
            sid: record.call_sid.clone(),
            carrier: record.carrier.clone(),
        })?;
        ask(carrier).await.map_err(carrier_failed(carrier))?.map_err(CallingError::Carrier)
    }

    pub(super) async fn record_of(&self, sid: &str) -> Result<CallRecord, CallingError> {
        self.book.get(sid).await?.ok_or_else(|| CallingError::UnknownCall(sid.to_owned()))
    }

    async fn apply(&self, sid: &str, update: Update) -> Result<CallRecord, CallingError> {
        match self.book.update(sid, update, unix_now()).await? {
            (_, Some(record)) => Ok(record),
            (_, None) => Err(CallingError::UnknownCall(sid.to_owned())),
        }
    }
}

/// What a carrier's answer about a call says of its status.
fn status_of(info: &CallInfo) -> Update {
    Update {
        status: Some(info.status.into()),
        source: "carrier".into(),
        duration_seconds: info.duration_seconds,
        ..Update::default()
    }
}
