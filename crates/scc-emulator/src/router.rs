//! The router: SCC under `/v1`, XDR under `/iroh`, the control plane under `/_emulator`, the
//! middleware around them all.

use std::sync::Arc;

use axum::Router;
use axum::response::IntoResponse;
use axum::routing::{get, post};

use crate::app::App;
use crate::routes::{groups, organizations, roles, subscriptions, tokens, users, xdr};
use crate::{control, http};

/// The router: SCC under `/v1`, XDR under `/iroh`, the control plane under `/_emulator`.
pub(crate) fn router(app: Arc<App>) -> Router {
    let scc = Router::new()
        .route("/organizations", get(organizations::list).post(organizations::create))
        .route(
            "/organizations/{org_id}",
            get(organizations::get).put(organizations::update),
        )
        .route(
            "/organizations/{org_id}/subscriptions",
            get(subscriptions::list).post(subscriptions::create),
        )
        .route(
            "/organizations/{org_id}/subscriptions/claimInfo",
            post(subscriptions::claim_info),
        )
        .route(
            "/organizations/{org_id}/subscriptions/{subscription_id}",
            get(subscriptions::get)
                .put(subscriptions::update)
                .patch(subscriptions::patch),
        )
        .route("/organizations/{org_id}/users", get(users::list).patch(users::patch))
        .route(
            "/organizations/{org_id}/users/{user_id}",
            get(users::get).put(users::update),
        )
        .route("/organizations/{org_id}/users/{user_id}/groups", get(users::groups))
        .route(
            "/organizations/{org_id}/adminGroups",
            get(groups::list).post(groups::create),
        )
        .route(
            "/organizations/{org_id}/adminGroups/{group_id}",
            get(groups::get)
                .put(groups::update)
                .patch(groups::patch)
                .delete(groups::delete),
        )
        .route(
            "/organizations/{org_id}/adminGroups/{group_id}/users",
            get(groups::users),
        )
        .route(
            "/organizations/{org_id}/adminGroups/{group_id}/roles",
            get(groups::roles),
        )
        .route(
            "/organizations/{org_id}/adminGroups/{group_id}/managedOrgs",
            get(groups::managed_orgs),
        )
        .route("/organizations/{org_id}/roles", get(roles::list))
        .route(
            "/organizations/{org_id}/roles/{role_id}",
            get(roles::get).patch(roles::patch),
        )
        .route(
            "/organizations/{org_id}/apiKeys/{api_key_id}/token",
            post(tokens::refresh),
        );
    let iroh = Router::new()
        .route("/oauth2/token", post(xdr::token))
        .route("/profile/whoami", get(xdr::whoami))
        .route("/profile/org", get(xdr::get_org).post(xdr::update_org));
    Router::new()
        .route("/openapi.json", get(openapi))
        .nest("/v1", scc)
        .nest("/iroh", iroh)
        .nest("/_emulator", control::router())
        .fallback(http::not_found)
        .method_not_allowed_fallback(http::method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(app.clone(), http::layer))
        .with_state(app)
}

/// The API description the toolkit is checked against (`openapi/scc.json`), its server this
/// emulator: Postman, Prism, schemathesis or a code generator point at it as they are.
async fn openapi(headers: axum::http::HeaderMap) -> axum::response::Response {
    static DOCUMENT: &str = include_str!("../../../openapi/scc.json");
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|host| host.to_str().ok())
        .filter(|host| {
            host.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | ':' | '-' | '[' | ']'))
        })
        .unwrap_or("127.0.0.1");
    let mut document: serde_json::Value = serde_json::from_str(DOCUMENT).unwrap_or_default();
    document["servers"] = serde_json::json!([{ "url": format!("http://{host}/v1"), "description": "this emulator" }]);
    axum::Json(document).into_response()
}
