//! Contract tests: raw HTTP against `spawn()`, shapes compared with the workspace's fixtures.

mod auth_matrix;
mod behaviour;
mod endpoints;
mod faults;
mod properties;
mod state_file;
mod support;
mod xdr;
