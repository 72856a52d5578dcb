//! Building blocks shared by the models: id newtypes, open enums, timestamps and the extra-field map.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Fields the SDK does not model, kept as received so nothing the server sends is lost.
pub type Extra = serde_json::Map<String, serde_json::Value>;

/// Declares a string id newtype: transparent on the wire, `Display`, `AsRef<str>`, built from any string.
macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps a raw id.
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }
            /// The id as sent on the wire.
            pub fn as_str(&self) -> &str {
                &self.0
            }
            /// The inner string.
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> Self {
                Self(id)
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                Self(id.to_owned())
            }
        }

        impl From<&String> for $name {
            fn from(id: &String) -> Self {
                Self(id.clone())
            }
        }

        impl From<&$name> for $name {
            fn from(id: &$name) -> Self {
                id.clone()
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }
    };
}
pub(crate) use id_type;

/// Declares an open enum: the known wire values as variants plus `Unknown(String)`, so a value the
/// SDK does not know yet is kept, never an error. Parsing is exact (case-sensitive), like the API.
macro_rules! open_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $wire:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
            /// A value this version of the SDK does not know, kept as received.
            Unknown(String),
        }

        impl $name {
            /// Every value this SDK knows, as sent on the wire.
            pub const KNOWN: &'static [&'static str] = &[$($wire),+];

            /// The wire value.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $wire,)+
                    Self::Unknown(other) => other,
                }
            }

            /// True when the value is one this SDK knows.
            pub fn is_known(&self) -> bool {
                !matches!(self, Self::Unknown(_))
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $($wire => Self::$variant,)+
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                match value.as_str() {
                    $($wire => Self::$variant,)+
                    _ => Self::Unknown(value),
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::convert::Infallible;
            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                String::deserialize(deserializer).map(Self::from)
            }
        }
    };
}
pub(crate) use open_enum;

/// A timestamp as the service sent it, parsed when it is RFC 3339.
///
/// The raw text is kept and sent back unchanged, so an unexpected format never fails a decode and is
/// never lost; [`Timestamp::get`] gives the parsed instant.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Timestamp {
    raw: String,
    parsed: Option<jiff::Timestamp>,
}

impl Timestamp {
    /// Parses a timestamp; the raw text is kept whatever it is.
    pub fn new(raw: impl Into<String>) -> Self {
        let raw = raw.into();
        let parsed = raw.parse().ok();
        Self { raw, parsed }
    }
    /// The instant, when the text is RFC 3339.
    ///
    /// ```
    /// let created = scc_sdk::types::Timestamp::new("2025-02-03T07:04:54Z");
    /// assert_eq!(created.get().map(|t| t.as_second()), Some(1_738_566_294));
    /// assert_eq!(scc_sdk::types::Timestamp::new("yesterday").get(), None);
    /// ```
    pub fn get(&self) -> Option<jiff::Timestamp> {
        self.parsed
    }
    /// The text as received.
    pub fn as_str(&self) -> &str {
        &self.raw
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.raw, f)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

impl From<jiff::Timestamp> for Timestamp {
    fn from(value: jiff::Timestamp) -> Self {
        Self {
            raw: value.to_string(),
            parsed: Some(value),
        }
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.raw)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_enum_round_trips_known_and_unknown() {
        use crate::types::SortOrder;
        let known: SortOrder = serde_json::from_str("\"ASC\"").unwrap_or(SortOrder::Desc);
        assert_eq!(known, SortOrder::Asc);
        let unknown: SortOrder = serde_json::from_str("\"RANDOM\"").unwrap_or(SortOrder::Desc);
        assert_eq!(unknown, SortOrder::Unknown("RANDOM".into()));
        assert!(!unknown.is_known());
        assert_eq!(serde_json::to_string(&unknown).ok().as_deref(), Some("\"RANDOM\""));
        assert_eq!(
            SortOrder::from("asc"),
            SortOrder::Unknown("asc".into()),
            "parsing is exact, like the API"
        );
        assert_eq!(SortOrder::KNOWN, ["ASC", "DESC"]);
    }

    #[test]
    fn timestamp_keeps_raw_text() {
        let parsed = Timestamp::new("2026-02-05T22:53:38.923039436Z");
        let expected = jiff::civil::date(2026, 2, 5)
            .at(22, 53, 38, 923_039_436)
            .to_zoned(jiff::tz::TimeZone::UTC);
        assert_eq!(parsed.get(), expected.ok().map(|zoned| zoned.timestamp()));
        let odd = Timestamp::new("last tuesday");
        assert_eq!(odd.get(), None);
        assert_eq!(serde_json::to_string(&odd).ok().as_deref(), Some("\"last tuesday\""));
    }
}
