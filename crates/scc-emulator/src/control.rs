//! The test control plane under `/_emulator` (a prefix the real API cannot use): reset the state,
//! script faults, read the request journal, move the clock, dump the state.

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use bytes::Bytes;
use serde::{Deserialize, Serialize};

use crate::app::App;
use crate::error::{ApiResult, parse_json};
use crate::faults::ScriptedFault;

pub(crate) fn router() -> Router<Arc<App>> {
    Router::new()
        .route("/reset", post(reset))
        .route("/faults", get(list_faults).post(add_faults).delete(clear_faults))
        .route("/requests", get(requests).delete(clear_requests))
        .route("/clock", post(clock))
        .route("/disk", post(disk))
        .route("/state", get(state))
}

async fn reset(State(app): State<Arc<App>>) -> ApiResult<StatusCode> {
    app.store.reset()?;
    app.store.fail_appends(0);
    app.faults.clear();
    app.journal.clear();
    app.requests_seen.store(0, std::sync::atomic::Ordering::Relaxed);
    app.clock_offset.store(0, std::sync::atomic::Ordering::SeqCst);
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(untagged)]
enum FaultBody {
    Many { faults: Vec<ScriptedFault> },
    One(ScriptedFault),
}

async fn add_faults(State(app): State<Arc<App>>, body: Bytes) -> ApiResult<StatusCode> {
    let faults = match parse_json::<FaultBody>(&body)? {
        FaultBody::Many { faults } => faults,
        FaultBody::One(fault) => vec![fault],
    };
    app.faults.script(faults);
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize)]
struct FaultList {
    faults: Vec<ScriptedFault>,
}

async fn list_faults(State(app): State<Arc<App>>) -> Json<FaultList> {
    Json(FaultList {
        faults: app.faults.scripted(),
    })
}

async fn clear_faults(State(app): State<Arc<App>>) -> StatusCode {
    app.faults.clear();
    StatusCode::NO_CONTENT
}

/// The journal, and how many API requests arrived in all (the journal keeps the last ones).
#[derive(Serialize)]
struct RequestLog {
    requests: Vec<serde_json::Value>,
    total: u64,
}

async fn requests(State(app): State<Arc<App>>) -> Json<RequestLog> {
    Json(RequestLog {
        requests: app.journal.list(),
        total: app.requests_seen.load(std::sync::atomic::Ordering::Relaxed),
    })
}

async fn clear_requests(State(app): State<Arc<App>>) -> StatusCode {
    app.journal.clear();
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClockBody {
    advance_seconds: i64,
}

#[derive(Serialize)]
struct Clock {
    offset_seconds: i64,
    now: i64,
}

async fn clock(State(app): State<Arc<App>>, body: Bytes) -> ApiResult<Json<Clock>> {
    let body: ClockBody = parse_json(&body)?;
    // Saturating: the clock can be moved as far as an i64 goes, never around it.
    let offset = app
        .clock_offset
        .fetch_update(
            std::sync::atomic::Ordering::SeqCst,
            std::sync::atomic::Ordering::SeqCst,
            |offset| Some(offset.saturating_add(body.advance_seconds)),
        )
        .unwrap_or_default()
        .saturating_add(body.advance_seconds);
    Ok(Json(Clock {
        offset_seconds: offset,
        now: app.now(),
    }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DiskBody {
    /// How many of the next writes to the state log fail as on a full disk.
    full_for_writes: u32,
}

/// `POST /_emulator/disk {"full_for_writes": N}`: the next N changes find the disk full (half their
/// record written, then ENOSPC): they answer 503 and are not kept; nothing acknowledged is lost.
async fn disk(State(app): State<Arc<App>>, body: Bytes) -> ApiResult<StatusCode> {
    let body: DiskBody = parse_json(&body)?;
    app.store.fail_appends(body.full_for_writes);
    Ok(StatusCode::NO_CONTENT)
}

async fn state(State(app): State<Arc<App>>) -> Json<serde_json::Value> {
    Json(serde_json::to_value(app.store.snapshot()).unwrap_or_default())
}
