//! One handler per resource, with the Python SDK's method names. Required inputs are positional;
//! optional ones are builder setters (each with a `set_…(Option<…>)` twin) ending in `.send()`.

mod groups;
mod organizations;
mod roles;
mod subscriptions;
mod tokens;
mod users;

pub use groups::*;
pub use organizations::*;
pub use roles::*;
pub use subscriptions::*;
pub use tokens::*;
pub use users::*;

/// Generates, for each optional field, `field(value)` and `set_field(Option<value>)`. `into` fields take
/// `impl Into<T>`; `exact` fields take `T` itself, so `.max(50)` infers the integer type.
impl crate::Client {
    /// Organizations: list, get, create, update.
    pub fn organizations(&self) -> Organizations {
        Organizations::new(self.clone())
    }
    /// Subscriptions and claim codes.
    pub fn subscriptions(&self) -> Subscriptions {
        Subscriptions::new(self.clone())
    }
    /// Users and the bulk user operations.
    pub fn users(&self) -> Users {
        Users::new(self.clone())
    }
    /// Admin groups.
    pub fn groups(&self) -> Groups {
        Groups::new(self.clone())
    }
    /// Roles and role assignments.
    pub fn roles(&self) -> Roles {
        Roles::new(self.clone())
    }
    /// Token refresh.
    pub fn tokens(&self) -> Tokens {
        Tokens::new(self.clone())
    }
}

macro_rules! optional_setters {
    ($($(#[$doc:meta])* $field:ident / $set:ident : $mode:ident $ty:ty;)+) => {
        $(
            optional_setters!(@setter $mode $(#[$doc])* $field: $ty);
            #[doc = concat!("Sets or clears `", stringify!($field), "`.")]
            pub fn $set(mut self, value: Option<$ty>) -> Self {
                self.$field = value;
                self
            }
        )+
    };
    (@setter exact $(#[$doc:meta])* $field:ident: $ty:ty) => {
        $(#[$doc])*
        pub fn $field(mut self, value: $ty) -> Self {
            self.$field = Some(value);
            self
        }
    };
    (@setter into $(#[$doc:meta])* $field:ident: $ty:ty) => {
        $(#[$doc])*
        pub fn $field(mut self, value: impl Into<$ty>) -> Self {
            self.$field = Some(value.into());
            self
        }
    };
}
pub(crate) use optional_setters;
