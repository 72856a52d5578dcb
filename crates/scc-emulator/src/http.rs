//! The layer every request passes: body limit, journal, latency, faults, rate limit, and the rendering
//! of every error (handlers', axum's, the fallbacks') as the API's error envelope.

use std::sync::Arc;

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;

use crate::App;
use crate::error::ApiError;
use crate::faults::FaultAction;

/// Bodies above this are refused with 413.
pub(crate) const MAX_BODY_BYTES: usize = 1024 * 1024;

pub(crate) async fn layer(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let method = parts.method.as_str().to_owned();
    let path = parts.uri.path().to_owned();
    let control = path.starts_with("/_emulator");

    let bytes = match to_bytes(body, MAX_BODY_BYTES).await {
        Ok(bytes) => bytes,
        Err(_) => {
            let error = ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "the request body exceeds 1 MiB");
            return finish(&app, &parts, &Bytes::new(), &path, control, render(&app, &path, error));
        }
    };

    if !control {
        if !app.latency.is_zero() {
            tokio::time::sleep(app.latency).await;
        }
        let token = parts.headers.get(AUTHORIZATION).and_then(|value| value.to_str().ok());
        let mut action = app.faults.pick(&method, &path, token, app.now());
        while let Some(next_action) = action.take() {
            match next_action {
                FaultAction::Delay(delay) => tokio::time::sleep(delay).await,
                FaultAction::DelayThen(delay, then) => {
                    tokio::time::sleep(delay).await;
                    action = Some(*then);
                }
                FaultAction::Respond(error) => {
                    let response = render(&app, &path, error);
                    return finish(&app, &parts, &bytes, &path, control, response);
                }
                FaultAction::Drop => {
                    let response = dropped_connection();
                    return finish(&app, &parts, &bytes, &path, control, response);
                }
            }
        }
    }

    let request = Request::from_parts(parts.clone(), Body::from(bytes.clone()));
    let mut response = next.run(request).await;
    if let Some(error) = response.extensions_mut().remove::<ApiError>() {
        response = render(&app, &path, error);
    } else if response.status().is_client_error() || response.status().is_server_error() {
        response = render_foreign(&app, &path, response).await;
    }
    finish(&app, &parts, &bytes, &path, control, response)
}

fn finish(
    app: &App,
    parts: &axum::http::request::Parts,
    body: &Bytes,
    path: &str,
    control: bool,
    response: Response,
) -> Response {
    if !control {
        let headers: serde_json::Map<String, serde_json::Value> = parts
            .headers
            .iter()
            .map(|(name, value)| {
                let text = if name == AUTHORIZATION {
                    let scheme = value.to_str().ok().and_then(|v| v.split(' ').next()).unwrap_or("");
                    format!("{scheme} [redacted]")
                } else {
                    value.to_str().unwrap_or("<binary>").to_owned()
                };
                (name.as_str().to_owned(), text.into())
            })
            .collect();
        let body_value = if body.is_empty() {
            serde_json::Value::Null
        } else {
            serde_json::from_slice(body).unwrap_or_else(|_| String::from_utf8_lossy(body).into_owned().into())
        };
        app.journal.record(serde_json::json!({
            "method": parts.method.as_str(),
            "path": path,
            "query": parts.uri.query(),
            "headers": headers,
            "body": body_value,
            "status": response.status().as_u16(),
        }));
    }
    response
}

/// The SCC envelope, or the IROH one under `/iroh`, with the request's path.
pub(crate) fn render(app: &App, path: &str, error: ApiError) -> Response {
    let tracking_id = app.tracking_id();
    let body = if let Some(raw) = error.raw_body.clone() {
        raw
    } else if path.starts_with("/iroh") {
        serde_json::json!({
            "error": error.code.unwrap_or(match error.status.as_u16() {
                400 => "invalid_request",
                401 => "invalid_token",
                403 => "forbidden",
                404 => "not_found",
                405 => "method_not_allowed",
                413 => "request_too_large",
                429 => "too_many_requests",
                _ => "unknown server error",
            }),
            "error_description": error.message,
            "trace_id": tracking_id,
        })
    } else {
        serde_json::json!({
            "trackingId": tracking_id,
            "message": error.message,
            "timestamp": jiff::Timestamp::now().to_string(),
            "statusCode": error.status.as_u16(),
            "path": path,
        })
    };
    let mut response = (error.status, axum::Json(body)).into_response();
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
