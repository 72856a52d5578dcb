//! Typed models of every request and response, with the API's exact wire names.
//!
//! Every response struct keeps the fields this SDK does not know in `extra`, and every enum keeps an
//! unknown value in `Unknown(String)`, so nothing the server sends is lost and a new value is never
//! an error.

mod common;
mod enums;
mod group;
mod organization;
mod role;
mod subscription;
mod token;
mod user;

pub use common::{Extra, Timestamp};
pub(crate) use common::{id_type, open_enum};
pub use enums::*;
pub use group::*;
pub use organization::*;
pub use role::*;
pub use subscription::*;
pub use token::*;
pub use user::*;

id_type!(
    /// An organization id (a UUID on the wire).
    OrgId
);
id_type!(
    /// A subscription id.
    SubscriptionId
);
id_type!(
    /// A product id, from claim info or a subscription.
    ProductId
);
id_type!(
    /// A user id (an opaque Okta-style id, not a UUID).
    UserId
);
id_type!(
    /// An admin group id.
    GroupId
);
id_type!(
    /// A role id.
    RoleId
);
id_type!(
    /// An API key id (the "Key ID" shown when the key is created).
    ApiKeyId
);
