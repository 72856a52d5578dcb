//! The rules of SCC and of the XDR profile, beneath the HTTP routes: each resource's operations on the
//! state, whom they are allowed for, and what they refuse. A route reads the request, calls one of
//! these inside a store read or write (a write works on a draft that is kept only if it succeeds), and
//! writes the answer from `views`. The fixtures build the default state through the same operations.

pub(crate) mod access;
pub(crate) mod catalog;
pub(crate) mod groups;
pub(crate) mod lookup;
pub(crate) mod organizations;
pub(crate) mod outcome;
pub(crate) mod roles;
pub(crate) mod subscriptions;
pub(crate) mod tokens;
pub(crate) mod users;
pub(crate) mod xdr;
