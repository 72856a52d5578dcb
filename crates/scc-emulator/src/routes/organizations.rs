//! `/v1/organizations`.

use std::sync::Arc;

use axum::extract::{OriginalUri, Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use bytes::Bytes;
use serde::Deserialize;

use super::{Query, created, json, page_response, query_text};
use crate::app::App;
use crate::closed::{Closed, one_of, query_param};
use crate::domain::access::Caller;
use crate::domain::organizations::{self, Filter, SortField, SortOrder};
use crate::error::{ApiResult, parse_json};
use crate::model::{OrgType, RegionCode};
use crate::pagination::{page_size, paginate};
use crate::views;

pub(crate) async fn list(
    State(app): State<Arc<App>>,
    caller: Caller,
    headers: HeaderMap,
    OriginalUri(uri): OriginalUri,
    axum::extract::Query(query): Query,
) -> ApiResult<Response> {
    let max = page_size(query.get("max"))?;
    let filter = Filter {
        org_type: query_param(&query, "type", OrgType::ALL)?,
        region_code: query_param(&query, "regionCode", RegionCode::OF_ORGANIZATION_FILTER)?,
        sort_by: query_param(&query, "sortBy", SortField::ALL)?,
        order: query_param(&query, "order", SortOrder::ALL)?,
        // Compared by the names' rule (the index holds each name's key).
        name: query_text(&query, "name")
            .map(crate::model::name_key)
            .filter(|key| !key.is_empty()),
        country_code: query_text(&query, "countryCode").map(str::to_owned),
        manager_org_id: query_text(&query, "managerOrgId").map(str::to_owned),
    };
    // A cursor is good for the list it was made for: the caller and the same filters.
    let list_key = format!("orgs|{}|{filter:?}", caller.org_id);
    let (page, next) = app.store.read(|state| {
        let orgs = organizations::list(state, &caller, &filter);
        paginate(orgs, max, query.get("cursor"), &list_key)
            .map(|(page, next)| (page.into_iter().cloned().collect::<Vec<_>>(), next))
    })?;
    let body = views::organization_page(&page, next.as_deref());
    Ok(page_response(&headers, uri.path(), &query, &body, next.as_deref()))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateBody {
    name: String,
    region_code: String,
    #[serde(rename = "type", default)]
    org_type: Option<String>,
    #[serde(default)]
    country_code: Option<String>,
}

pub(crate) async fn create(State(app): State<Arc<App>>, caller: Caller, body: Bytes) -> ApiResult<Response> {
    caller.require_write()?;
    let body: CreateBody = parse_json(&body)?;
    super::name("name", &body.name)?;
    let region = one_of("regionCode", &body.region_code, RegionCode::OF_ORGANIZATIONS)?;
    let org_type = match &body.org_type {
        Some(value) => one_of("type", value, OrgType::ALL)?,
        None => OrgType::Standalone,
    };
    let now = app.timestamp();
    let org = app
        .store
        .write(|state| organizations::create(state, &caller, &body.name, org_type, region, body.country_code, &now))?;
    Ok(created(&views::organization(&org)))
}

pub(crate) async fn get(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(org_id): Path<String>,
) -> ApiResult<Response> {
    app.store
        .read(|state| caller.org(state, &org_id).map(|org| json(&views::organization(org))))
}

#[derive(Deserialize)]
struct UpdateBody {
    name: String,
}

pub(crate) async fn update(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(org_id): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    caller.require_write()?;
    let body: UpdateBody = parse_json(&body)?;
    super::name("name", &body.name)?;
    app.store.write(|state| {
        organizations::rename(state, &caller, &org_id, &body.name).map(|org| json(&views::organization(org)))
    })
}
