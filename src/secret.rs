//! A string that never prints. Secret access keys, passwords and session tokens travel in this type so that
//! no `Debug`, `Display` or log line can reveal them; the memory is wiped when the value is dropped.

use zeroize::Zeroize;

#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: String) -> Self {
        Self(s)
    }
    /// The secret itself: call only where it must leave the process (a response body) or feed a MAC.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn debug_hides_the_value() {
        let s = super::Secret::new("wJalrXUtnFEMI".into());
        assert!(!format!("{s:?}").contains("wJal"));
        assert_eq!(s.expose(), "wJalrXUtnFEMI");
    }
}
