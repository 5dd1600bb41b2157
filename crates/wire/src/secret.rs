//! A wrapper for secret-bearing values (secret access keys, passwords, session tokens, private keys, SAML
//! assertions, web identity tokens): its `Debug` and `Display` never show the value, so a logged request or
//! response cannot leak one.

use std::fmt;

use crate::xml::{XmlValue, XmlWriter};

#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret<T>(T);

impl<T> Secret<T> {
    pub fn new(value: T) -> Self {
        Secret(value)
    }

    /// The secret itself. Named so that every use is visible in review.
    pub fn expose(&self) -> &T {
        &self.0
    }

    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> From<T> for Secret<T> {
    fn from(value: T) -> Self {
        Secret(value)
    }
}

impl From<&str> for Secret<String> {
    fn from(value: &str) -> Self {
        Secret(value.to_owned())
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl<T> fmt::Display for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl<T: XmlValue> XmlValue for Secret<T> {
    fn write_xml_value(&self, w: &mut XmlWriter, name: &str) {
        self.0.write_xml_value(w, name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_prints() {
        let s = Secret::new("wJalrXUtnFEMI".to_string());
        assert_eq!(format!("{s:?} {s}"), "Secret(<redacted>) <redacted>");
        assert_eq!(s.expose(), "wJalrXUtnFEMI");
    }
}
