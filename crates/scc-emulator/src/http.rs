//! The layer every request passes: head and body limits, the control plane's token, latency, the
//! faults (`faults`: what strikes and when) and the journal (`journal`: what is kept of a request),
//! and the rendering of every error (handlers', axum's, the fallbacks') as the API's error envelope.

use std::sync::Arc;

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::header::{AUTHORIZATION, CONNECTION, CONTENT_LENGTH, CONTENT_TYPE, RETRY_AFTER, TRANSFER_ENCODING};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;

use crate::app::App;
use crate::error::ApiError;
use crate::faults::Struck;
use crate::views::{IrohErrorEnvelope, SccErrorEnvelope};

/// Bodies above this are refused with 413.
pub(crate) const MAX_BODY_BYTES: usize = 1024 * 1024;

/// A request line longer than this is answered 414 (with the envelope, before hyper's own limit).
pub(crate) const MAX_URI_BYTES: usize = 8 * 1024;
/// Headers larger than this in all are answered 431.
pub(crate) const MAX_HEADER_BYTES: usize = 32 * 1024;

/// What became of a request, for the journal.
#[derive(Clone, Copy, Default)]
struct Fate {
    /// The connection was closed instead of answering.
    dropped: bool,
    /// The handler ran and its change was kept before the fault replaced the answer.
    after_commit: bool,
}

pub(crate) async fn layer(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let method = parts.method.as_str().to_owned();
    let path = parts.uri.path().to_owned();
    let control = path.starts_with("/_emulator");
    let answered = Fate::default();
    if !control {
        app.requests_seen.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    if let Some(error) = oversized_head(&parts) {
        let response = render(&app, &path, error);
        return finish(&app, &parts, &Bytes::new(), &path, control, answered, response);
    }

    // Refused on its head, before a byte of its body is waited for.
    if let Some(error) = refused_head(&app, &parts, &path, control) {
        let mut response = render(&app, &path, error);
        if parts.headers.contains_key(CONTENT_LENGTH) || parts.headers.contains_key(TRANSFER_ENCODING) {
            // The unread body would be read before the next request on this connection.
            response
                .headers_mut()
                .insert(CONNECTION, HeaderValue::from_static("close"));
        }
        return finish(&app, &parts, &Bytes::new(), &path, control, answered, response);
    }

    let bytes = match tokio::time::timeout(app.body_timeout, to_bytes(body, MAX_BODY_BYTES)).await {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(_)) => {
            let error = ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "the request body exceeds 1 MiB");
            return finish(
                &app,
                &parts,
                &Bytes::new(),
                &path,
                control,
                answered,
                render(&app, &path, error),
            );
        }
        Err(_) => {
            // A body that never finishes holds no connection longer than a head may take.
            let error = ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                format!(
                    "the request body did not arrive within {} s",
                    app.body_timeout.as_secs()
                ),
            );
            let mut response = render(&app, &path, error);
            response
                .headers_mut()
                .insert(CONNECTION, HeaderValue::from_static("close"));
            return finish(&app, &parts, &Bytes::new(), &path, control, answered, response);
        }
    };

    let mut after_commit = None;
    if !control {
        if !app.latency.is_zero() {
            tokio::time::sleep(app.latency).await;
        }
        let token = parts.headers.get(AUTHORIZATION).and_then(|value| value.to_str().ok());
        if let Some(action) = app.faults.pick(&method, &path, token, app.now()) {
            match action.strike(false).await {
                Struck::Pass => {}
                Struck::Respond(error) => {
                    let response = render(&app, &path, error);
                    return finish(&app, &parts, &bytes, &path, control, answered, response);
                }
                Struck::Drop => {
                    let fate = Fate {
                        dropped: true,
                        after_commit: false,
                    };
                    return finish(&app, &parts, &bytes, &path, control, fate, dropped_connection());
                }
                Struck::After(then) => after_commit = Some(then),
            }
        }
    }

    // The handler takes the request; a copy of its head is kept only when the journal or the log
    // will want it.
    let kept = (app.journal.enabled() || app.log).then(|| parts.clone());
    let request = Request::from_parts(parts, Body::from(bytes.clone()));
    let mut response = next.run(request).await;
    if let Some(error) = response.extensions_mut().remove::<ApiError>() {
        response = render(&app, &path, error);
    } else if response.status().is_client_error() || response.status().is_server_error() {
        response = render_foreign(&app, &path, response).await;
    }
    if let Some(fault) = after_commit {
        // The handler's change (if it made one) is kept; only its answer is lost.
        let fate = |dropped| Fate {
            dropped,
            after_commit: true,
        };
        match fault.strike(true).await {
            Struck::Pass => {}
            Struck::Respond(error) => {
                return finish_kept(
                    &app,
                    kept.as_ref(),
                    &bytes,
                    &path,
                    fate(false),
                    render(&app, &path, error),
                );
            }
            Struck::Drop | Struck::After(_) => {
                return finish_kept(&app, kept.as_ref(), &bytes, &path, fate(true), dropped_connection());
            }
        }
    }
    if control {
        return response;
    }
    finish_kept(&app, kept.as_ref(), &bytes, &path, answered, response)
}

/// A request target or headers over the limits: 414 or 431, in the API's envelope.
fn oversized_head(parts: &axum::http::request::Parts) -> Option<ApiError> {
    let uri_bytes = parts.uri.path_and_query().map_or(0, |pq| pq.as_str().len());
    let header_bytes: usize = parts
        .headers
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum();
    let (status, message) = if uri_bytes > MAX_URI_BYTES {
        (
            StatusCode::URI_TOO_LONG,
            format!("the request target is {uri_bytes} bytes; at most {MAX_URI_BYTES} are accepted"),
        )
    } else if header_bytes > MAX_HEADER_BYTES {
        (
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            format!("the headers are {header_bytes} bytes; at most {MAX_HEADER_BYTES} are accepted"),
        )
    } else {
        return None;
    };
    Some(ApiError::new(status, message))
}

/// Why a request is refused on its head alone: more than one `Authorization` header (which one would
/// count is ambiguous), the control plane without its token, or an API request without any
/// credentials (its body is then never read).
fn refused_head(app: &App, parts: &axum::http::request::Parts, path: &str, control: bool) -> Option<ApiError> {
    if parts.headers.get_all(AUTHORIZATION).iter().nth(1).is_some() {
        return Some(ApiError::bad_request("more than one Authorization header"));
    }
    if control {
        return (!control_authorized(app, &parts.headers)).then(|| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "the control plane needs the emulator's control token: Authorization: Bearer <control_token of the ready line>",
            )
        });
    }
    // XDR's routes answer a missing token in their own envelope, after the (bounded) body.
    // The API description is public, as a published one would be.
    if !path.starts_with("/iroh") && path != "/openapi.json" && !parts.headers.contains_key(AUTHORIZATION) {
        return crate::routes::callers::bearer(parts).err();
    }
    None
}

/// `Authorization: Bearer <control token>`, compared in constant time.
fn control_authorized(app: &App, headers: &axum::http::HeaderMap) -> bool {
    let Some(given) = headers
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
    else {
        return false;
    };
    let expected = app.control_token.as_bytes();
    given.len() == expected.len()
        && given
            .bytes()
            .zip(expected)
            .fold(0u8, |difference, (a, b)| difference | (a ^ b))
            == 0
}

/// [`finish`] for a request whose head was kept (or not needed: no journal, no log).
fn finish_kept(
    app: &App,
    parts: Option<&axum::http::request::Parts>,
    body: &Bytes,
    path: &str,
    fate: Fate,
    response: Response,
) -> Response {
    match parts {
        Some(parts) => finish(app, parts, body, path, false, fate, response),
        None => response,
    }
}

fn finish(
    app: &App,
    parts: &axum::http::request::Parts,
    body: &Bytes,
    path: &str,
    control: bool,
    fate: Fate,
    response: Response,
) -> Response {
    if control {
        return response;
    }
    if app.log {
        let outcome = if fate.dropped {
            "dropped".to_owned()
        } else {
            response.status().as_u16().to_string()
        };
        let fault = if fate.after_commit {
            " (fault after the change)"
        } else {
            ""
        };
        let query = parts.uri.query().map(|q| format!("?{q}")).unwrap_or_default();
        eprintln!(
            "{} {} {path}{query} {outcome}{fault}",
            app.timestamp(),
            parts.method.as_str()
        );
    }
    // The journal's entry is built only when there is a journal to keep it.
    if app.journal.enabled() {
        let status = (!fate.dropped).then(|| response.status().as_u16());
        app.journal
            .record(crate::journal::entry(parts, body, path, status, fate.after_commit));
    }
    response
}

/// The SCC envelope, or the IROH one under `/iroh`, with the request's path.
pub(crate) fn render(app: &App, path: &str, error: ApiError) -> Response {
    let tracking_id = app.tracking_id();
    let mut response = if let Some(raw) = &error.raw_body {
        (error.status, axum::Json(raw)).into_response()
    } else if path.starts_with("/iroh") {
        let code = error.code.unwrap_or(match error.status.as_u16() {
            400 => "invalid_request",
            401 => "invalid_token",
            403 => "forbidden",
            404 => "not_found",
            405 => "method_not_allowed",
            413 => "request_too_large",
            429 => "too_many_requests",
            _ => "unknown server error",
        });
        let body = IrohErrorEnvelope {
            error: code,
            error_description: &error.message,
            trace_id: &tracking_id,
        };
        (error.status, axum::Json(body)).into_response()
    } else {
        let body = SccErrorEnvelope {
            tracking_id: &tracking_id,
            message: &error.message,
            timestamp: jiff::Timestamp::now().to_string(),
            status_code: error.status.as_u16(),
            path,
        };
        (error.status, axum::Json(body)).into_response()
    };
    if let Some(seconds) = error.retry_after {
        response.headers_mut().insert(RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

/// Errors produced outside the handlers (axum's rejections, 405): their text becomes the message.
async fn render_foreign(app: &App, path: &str, response: Response) -> Response {
    let is_json = response
        .headers()
        .get(CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(b"application/json"));
    if is_json {
        return response;
    }
    let status = match response.status() {
        StatusCode::UNPROCESSABLE_ENTITY | StatusCode::UNSUPPORTED_MEDIA_TYPE => StatusCode::BAD_REQUEST,
        other => other,
    };
    let text = to_bytes(response.into_body(), 64 * 1024).await.unwrap_or_default();
    let text = String::from_utf8_lossy(&text).trim().to_owned();
    let message = if text.is_empty() {
        status.canonical_reason().unwrap_or("error").to_lowercase()
    } else {
        text
    };
    render(app, path, ApiError::new(status, message))
}

/// A response whose body fails at once: the client sees the connection close mid-answer.
fn dropped_connection() -> Response {
    let stream = futures_util::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "dropped (injected fault)",
        ))
    });
    Response::new(Body::from_stream(stream))
}

pub(crate) async fn not_found(request: Request) -> ApiError {
    ApiError::not_found(format!("no route for {} {}", request.method(), request.uri().path()))
}

pub(crate) async fn method_not_allowed(request: Request) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        format!("method {} is not allowed on {}", request.method(), request.uri().path()),
    )
}
