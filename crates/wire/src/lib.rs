//! The wire layer of Gatehouse: everything between HTTP bytes and typed IAM/STS operations, with no I/O.
//!
//! * [`form::Params`]: the form-encoded parameters of a Query request;
//! * [`iam`] and [`sts`]: generated from the pinned botocore models (`tools/generate.py`): the action list (with
//!   [`authz`], how each operation is authorised, and sample parameters for tests), one
//!   Rust type per shape, `decode` (with AWS's validation) for inputs, `write_xml` for outputs, and the
//!   modelled error codes;
//! * [`envelope::response`] and [`AwsError::to_xml`]: the success and error documents;
//! * [`XmlWriter`], [`Timestamp`], [`Secret`]: the small runtime the generated code stands on.

pub mod base64;
pub mod decode;
pub mod document;
pub mod envelope;
pub mod error;
pub mod form;
pub mod secret;
pub mod time;
pub mod xml;

/// Defines a generated enumeration shape: the enum (first value is the `Default`), `as_str`, `from_wire`,
/// `FromStr`, `Display`, [`WireEnum`], and its decoding and XML writing. A macro keeps the generated files short.
macro_rules! wire_enum {
    ($name:ident { $first:ident = $first_wire:literal $(, $variant:ident = $wire:literal)* $(,)? }) => {
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            #[default]
            $first,
            $($variant,)*
        }

        impl $name {
            /// The value as it appears on the wire.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $name::$first => $first_wire,
                    $($name::$variant => $wire,)*
                }
            }

            /// The variant for a wire value (exact, case-sensitive).
            pub fn from_wire(value: &str) -> Option<Self> {
                match value {
                    $first_wire => Some($name::$first),
                    $($wire => Some($name::$variant),)*
                    _ => None,
                }
            }
        }

        impl $crate::WireEnum for $name {
            const VALUES: &'static [Self] = &[$name::$first $(, $name::$variant)*];
            fn as_str(self) -> &'static str {
                $name::as_str(self)
            }
            fn from_wire(value: &str) -> Option<Self> {
                $name::from_wire(value)
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::UnknownEnumValue;
            fn from_str(value: &str) -> Result<Self, Self::Err> {
                $name::from_wire(value).ok_or($crate::UnknownEnumValue)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl $crate::decode::Decode for $name {
            const SCALAR: bool = true;
            fn decode_value(
                d: &mut $crate::decode::Decoder<'_>,
                at: &$crate::decode::At,
                _rule: &$crate::decode::Rule,
            ) -> Option<Self> {
                d.enumeration(at, $name::from_wire)
            }
        }

        impl $crate::xml::XmlValue for $name {
            fn write_xml_value(&self, w: &mut $crate::xml::XmlWriter, name: &str) {
                w.element(name, self.as_str());
            }
        }
    };
}

mod generated;

pub use decode::{Decode, Decoder};
pub use envelope::{empty_response, response};
pub use error::AwsError;
pub use form::Params;
pub use generated::{authz, iam, sts};
pub use secret::Secret;
pub use time::Timestamp;
pub use xml::{XmlValue, XmlWriter};

/// A generated enumeration shape.
pub trait WireEnum: Sized + Copy + 'static {
    /// Every value, in model order.
    const VALUES: &'static [Self];
    /// The value as it appears on the wire.
    fn as_str(self) -> &'static str;
    /// The variant for a wire value (exact, case-sensitive).
    fn from_wire(value: &str) -> Option<Self>;
}

/// A string that is not one of an enumeration's values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnknownEnumValue;

impl std::fmt::Display for UnknownEnumValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("not a value of the enumeration")
    }
}

impl std::error::Error for UnknownEnumValue {}
