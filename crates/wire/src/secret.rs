//! The one wrapper for secret-bearing values (secret access keys, passwords, session tokens, private keys, SAML
//! assertions, web identity tokens, master keys): its `Debug` and `Display` never show the value, so a logged
//! request, response or configuration cannot leak one, and the memory is wiped (zeroised) when the value is dropped.
//! The main crate re-exports it (`gatehouse::secret::Secret`), so there is one such type.

use std::fmt;

use zeroize::Zeroize;

use crate::xml::{XmlValue, XmlWriter};

/// A secret value: a `String` unless said otherwise (`Secret<Vec<u8>>` for binary secrets). There is no way to move
/// the value out, so every copy of it is wiped on drop; `expose` lends it where it must be used.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret<T: Zeroize = String>(T);

impl<T: Zeroize> Secret<T> {
    pub fn new(value: T) -> Self {
        Secret(value)
    }

    /// The secret itself: call only where it must leave the process (a response body) or feed a MAC or a cipher.
    /// Named so that every use is visible in review.
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T: Zeroize> Drop for Secret<T> {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl<T: Zeroize> From<T> for Secret<T> {
    fn from(value: T) -> Self {
        Secret(value)
    }
}

impl From<&str> for Secret<String> {
    fn from(value: &str) -> Self {
        Secret(value.to_owned())
    }
}

impl<T: Zeroize> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl<T: Zeroize> fmt::Display for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl<T: XmlValue + Zeroize> XmlValue for Secret<T> {
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
        let b: Secret<Vec<u8>> = Secret::new(b"hunter2".to_vec());
        assert_eq!(format!("{b:?} {b}"), "Secret(<redacted>) <redacted>");
    }

    /// A value that records, in a place that outlives it, what it held when it was dropped.
    #[derive(Default)]
    struct Probe(Vec<u8>, std::sync::Arc<std::sync::Mutex<Vec<Vec<u8>>>>);

    impl Zeroize for Probe {
        fn zeroize(&mut self) {
            self.0.zeroize();
        }
    }

    impl Drop for Probe {
        fn drop(&mut self) {
            if let Ok(mut seen) = self.1.lock() {
                seen.push(self.0.clone());
            }
        }
    }

    /// Dropping a secret wipes its value first: the inner value's own drop sees it already zeroised.
    #[test]
    fn the_value_is_zeroised_on_drop() {
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        drop(Secret::new(Probe(b"wJalrXUtnFEMI".to_vec(), seen.clone())));
        let seen = seen.lock().map(|s| s.clone()).unwrap_or_default();
        assert_eq!(seen, vec![Vec::<u8>::new()], "the value was not wiped before it was freed");
    }
}
