//! Closed sets of wire values (a user's status, an organization's type, a bulk operation, …) as enums:
//! each value is spelt once, a misspelt one does not compile, and a value a client sends that is not in
//! the set is refused with the field's name and the values allowed.

use crate::error::{ApiError, ApiResult};

/// A closed set of wire strings.
pub(crate) trait Closed: Copy + Eq + 'static {
    /// Every value, in the order an error lists them.
    const ALL: &'static [Self];
    fn as_str(self) -> &'static str;
    fn parse(text: &str) -> Option<Self>;
}

/// Declares an enum of wire strings: `as_str`, `parse`, `Display` and serde as those strings.
macro_rules! closed_set {
    ($(#[$meta:meta])* $name:ident { $($(#[$variant_meta:meta])* $variant:ident = $wire:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub(crate) enum $name {
            $($(#[$variant_meta])* $variant),+
        }

        impl $name {
            /// The wire string.
            #[allow(dead_code)]
            pub(crate) fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $wire),+
                }
            }
        }

        impl $crate::closed::Closed for $name {
            const ALL: &'static [Self] = &[$(Self::$variant),+];
            fn as_str(self) -> &'static str {
                Self::as_str(self)
            }
            fn parse(text: &str) -> Option<Self> {
                match text {
                    $($wire => Some(Self::$variant),)+
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str($crate::closed::Closed::as_str(*self))
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str($crate::closed::Closed::as_str(*self))
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                <Self as $crate::closed::Closed>::parse(&text).ok_or_else(|| {
                    serde::de::Error::custom(format!(
                        "unknown value {text:?}, expected one of {}",
                        $crate::closed::listed(<Self as $crate::closed::Closed>::ALL)
                    ))
                })
            }
        }
    };
}
pub(crate) use closed_set;

/// `A, B, C`.
pub(crate) fn listed<T: Closed>(values: &[T]) -> String {
    values.iter().map(|value| value.as_str()).collect::<Vec<_>>().join(", ")
}

/// `value` as one of `allowed` (a subset of the set, or all of it), or a 400 naming `field`.
pub(crate) fn one_of<T: Closed>(field: impl std::fmt::Display, value: &str, allowed: &[T]) -> ApiResult<T> {
    T::parse(value)
        .filter(|parsed| allowed.contains(parsed))
        .ok_or_else(|| ApiError::bad_request(format!("{field} must be one of {}, got {value:?}", listed(allowed))))
}

/// `value` as a member of the set, or a 400 naming `field`.
pub(crate) fn parse_field<T: Closed>(field: impl std::fmt::Display, value: &str) -> ApiResult<T> {
    one_of(field, value, T::ALL)
}

/// A query parameter that, when given and not empty, must be one of `allowed`.
pub(crate) fn query_param<T: Closed>(
    query: &std::collections::HashMap<String, String>,
    name: &str,
    allowed: &[T],
) -> ApiResult<Option<T>> {
    match query.get(name).map(String::as_str).filter(|value| !value.is_empty()) {
        None => Ok(None),
        Some(value) => one_of(name, value, allowed).map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    closed_set!(
        /// A set for the tests.
        Colour { Red = "RED", DarkBlue = "dark-blue" }
    );

    #[test]
    fn wire_strings_round_trip_and_strangers_are_refused_by_name() {
        assert_eq!(
            serde_json::to_string(&Colour::DarkBlue).expect("a closed value serializes"),
            "\"dark-blue\""
        );
        assert_eq!(
            serde_json::from_str::<Colour>("\"RED\"").expect("a wire string parses"),
            Colour::Red
        );
        let error = serde_json::from_str::<Colour>("\"red\"")
            .expect_err("the case counts")
            .to_string();
        assert!(error.contains("expected one of RED, dark-blue"), "{error}");
        let refused = one_of("items[2].colour", "green", Colour::ALL).expect_err("green is not a colour");
        assert_eq!(
            refused.message,
            "items[2].colour must be one of RED, dark-blue, got \"green\""
        );
        let subset = one_of("colour", "RED", &[Colour::DarkBlue]).expect_err("RED is not allowed here");
        assert_eq!(subset.message, "colour must be one of dark-blue, got \"RED\"");
    }
}
