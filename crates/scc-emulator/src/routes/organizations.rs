//! `/v1/organizations`.

use std::sync::Arc;

use axum::Json;
use axum::extract::OriginalUri;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use bytes::Bytes;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Query, check_enum, created, non_empty, one_of, page_response};
use crate::App;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, parse_json};
use crate::fixtures::{create_default_roles, region_description};
use crate::model::Organization;
use crate::pagination::{page_size, paginate};

pub(crate) const ORG_TYPES: &[&str] = &["STANDALONE", "MANAGER", "MANAGED"];
const CREATE_REGIONS: &[&str] = &["NAM", "EMEA", "APJC"];
const FILTER_REGIONS: &[&str] = &["NAM", "EMEA", "APJC", "GLOBAL"];
const SORT_FIELDS: &[&str] = &["name", "type", "regionCode", "created", "id"];

pub(crate) fn view(org: &Organization) -> Value {
    let mut body = json!({
        "id": org.id,
        "name": org.name,
        "type": org.org_type,
        "regionCode": org.region_code,
        "regionDescription": region_description(&org.region_code),
        "created": org.created,
    });
    if let Some(country) = &org.country_code {
        body["countryCode"] = country.clone().into();
    }
    if let Some(manager) = &org.manager_org_id {
        body["managerOrgId"] = manager.clone().into();
    }
    body
}

pub(crate) async fn list(
    State(app): State<Arc<App>>,
    caller: Caller,
    headers: HeaderMap,
    OriginalUri(uri): OriginalUri,
    axum::extract::Query(query): Query,
) -> ApiResult<Response> {
    let max = page_size(query.get("max"))?;
    let org_type = one_of(&query, "type", ORG_TYPES)?;
    let region = one_of(&query, "regionCode", FILTER_REGIONS)?;
    let sort_by = one_of(&query, "sortBy", SORT_FIELDS)?;
    let order = one_of(&query, "order", &["ASC", "DESC"])?;
    let name = query
        .get("name")
        .map(|name| name.to_lowercase())
        .filter(|name| !name.is_empty());
    let country = query.get("countryCode").filter(|value| !value.is_empty());
    let manager = query.get("managerOrgId").filter(|value| !value.is_empty());
    let filters = format!(
        "orgs|{}|{name:?}|{org_type:?}|{region:?}|{country:?}|{manager:?}|{sort_by:?}|{order:?}",
        caller.org_id
    );

    let mut orgs: Vec<Organization> = app.store.read(|state| {
        let candidates: Box<dyn Iterator<Item = &Organization>> = match &name {
            // Names are kept in lower case in the table's index: a fast substring test each.
            Some(name) => Box::new(
                state
                    .organizations
                    .find_by_key_prefix(crate::model::NAME_KEY_PREFIX, move |lower| {
                        lower.contains(name.as_str())
                    })
                    .filter(move |org| org.name.to_lowercase().contains(name.as_str())),
            ),
            None => Box::new(state.organizations.values()),
        };
        candidates
            .filter(|org| caller.reaches(org))
            .filter(|org| org_type.is_none_or(|kind| org.org_type == kind))
            .filter(|org| region.is_none_or(|code| org.region_code == code))
            .filter(|org| {
                country.is_none_or(|code| {
                    org.country_code
                        .as_deref()
                        .is_some_and(|c| c.eq_ignore_ascii_case(code))
                })
            })
            .filter(|org| manager.is_none_or(|id| org.manager_org_id.as_deref() == Some(id.as_str())))
            .cloned()
            .collect()
    });
    // Creation order unless sorted; each key computed once, not at every comparison.
    match sort_by {
        None => orgs.sort_by_key(|org| org.seq),
        Some(field) => orgs.sort_by_cached_key(|org| {
            let key = match field {
                "name" => org.name.to_lowercase(),
                "type" => org.org_type.clone(),
                "regionCode" => org.region_code.clone(),
                "created" => org.created.clone(),
                _ => org.id.clone(),
            };
            (key, org.seq)
        }),
    }
    if order == Some("DESC") {
        orgs.reverse();
    }
    let (page, next) = paginate(orgs, max, query.get("cursor"), &filters)?;
    let body = json!({ "organizations": page.iter().map(view).collect::<Vec<_>>() });
    Ok(page_response(&headers, uri.path(), &query, body, next))
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
    non_empty("name", &body.name)?;
    check_enum("regionCode", &body.region_code, CREATE_REGIONS)?;
    let org_type = body.org_type.unwrap_or_else(|| "STANDALONE".into());
    check_enum("type", &org_type, ORG_TYPES)?;
    let now = app.timestamp();
    let org = app.store.write(|state| {
        let caller_type = state.organizations.get(&caller.org_id).map(|org| org.org_type.clone());
        let manager_org_id = if org_type == "MANAGED" {
            if caller_type.as_deref() != Some("MANAGER") {
                return Err(ApiError::bad_request(
                    "only a MANAGER organization can create MANAGED organizations",
                ));
            }
            Some(caller.org_id.clone())
        } else {
            None
        };
        let id = state.ids.uuid();
        let seq = state.next_seq();
        let org = Organization {
            id: id.clone(),
            name: body.name.trim().to_owned(),
            org_type,
            region_code: body.region_code,
            country_code: body.country_code.filter(|code| !code.is_empty()),
            manager_org_id,
            created: now,
            seq,
        };
        state.organizations.insert(id.clone(), org.clone());
        create_default_roles(state, &id);
        Ok(org)
    })?;
    Ok(created(view(&org)))
}

pub(crate) async fn get(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(org_id): Path<String>,
) -> ApiResult<Json<Value>> {
    app.store
        .read(|state| caller.org(state, &org_id).map(|org| Json(view(org))))
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
) -> ApiResult<Json<Value>> {
    caller.require_write()?;
    let body: UpdateBody = parse_json(&body)?;
    non_empty("name", &body.name)?;
    app.store.write(|state| {
        caller.org(state, &org_id)?;
        let org = state
            .organizations
            .get_mut(&org_id)
            .ok_or_else(|| ApiError::not_found(format!("organization {org_id} not found")))?;
        org.name = body.name.trim().to_owned();
        Ok(Json(view(org)))
    })
}
