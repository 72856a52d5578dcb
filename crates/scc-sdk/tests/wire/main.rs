//! Wire tests: every operation against a local mock server, asserting the exact request on the wire
//! (method, percent-encoded path, query, headers, JSON body) and the decoded answer.

mod bulk;
mod errors;
mod fixtures;
mod groups;
mod organizations;
mod pagination;
mod raw;
mod refresh;
mod resilience;
mod roles;
mod subscriptions;
mod support;
mod tokens;
mod users;
mod validation;
mod xdr;
