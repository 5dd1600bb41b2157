//! Secret access keys, passwords, master keys and session tokens travel in one type, the wire crate's
//! [`Secret`]: no `Debug`, `Display` or log line can reveal them, and the memory is wiped when a value is dropped.
//! `Secret` alone is `Secret<String>`.

pub use gatehouse_wire::Secret;

#[cfg(test)]
mod tests {
    #[test]
    fn debug_hides_the_value() {
        let s = super::Secret::new("wJalrXUtnFEMI".to_string());
        assert!(!format!("{s:?}").contains("wJal"));
        assert_eq!(s.expose(), "wJalrXUtnFEMI");
    }

    /// The main crate's secret is the wire crate's: what a domain function holds goes into a response as it is.
    #[test]
    fn one_type() {
        let wire: gatehouse_wire::Secret = super::Secret::new(String::from("x"));
        assert_eq!(wire.expose(), "x");
    }
}
