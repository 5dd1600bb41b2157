//! By hand: escaping as AWS responses need (`\r` and other controls as `&#x..;`, non-XML chars as U+FFFD), no DOM.
//!
//! A small XML writer for Query-protocol responses.
//!
//! Responses are written straight into one `String`: no DOM, no intermediate allocation per element. Generated
//! `write_xml` methods call [`XmlWriter::field`] once per member; how a value looks on the wire (scalar text, list
//! of `<member>`, map of `<entry>`, nested structure) is the job of its [`XmlValue`] implementation.

use std::collections::BTreeMap;

/// Appends `text` to `out`, escaped for element content and attribute values.
///
/// `&`, `<`, `>` and `"` become entities; carriage return and the other control characters become character
/// references (a raw `\r` would be normalised to `\n` by every XML parser). Tab and newline stay as they are.
pub fn escape_into(out: &mut String, text: &str) {
    let needs = |c: char| {
        matches!(c, '&' | '<' | '>' | '"' | '\u{FFFE}' | '\u{FFFF}') || (c.is_control() && c != '\n' && c != '\t')
    };
    if !text.contains(needs) {
        out.push_str(text);
        return;
    }
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            // XML 1.0's `Char` production leaves out the other C0 controls and U+FFFE/U+FFFF, not even allowing
            // references to them: an echoed NUL becomes U+FFFD so the document stays well-formed for every parser.
            // (Surrogates, also excluded, cannot occur in a Rust string.)
            c if u32::from(c) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push('\u{FFFD}'),
            '\u{FFFE}' | '\u{FFFF}' => out.push('\u{FFFD}'),
            c if needs(c) => {
                out.push_str("&#x");
                out.push_str(&format!("{:X}", u32::from(c)));
                out.push(';');
            }
            c => out.push(c),
        }
    }
}

/// Escapes `text` into a new string.
pub fn escape(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    escape_into(&mut s, text);
    s
}

/// Writes XML into a `String`.
#[derive(Debug, Default)]
pub struct XmlWriter {
    out: String,
}

impl XmlWriter {
    pub fn new() -> Self {
        Self::with_capacity(512)
    }

    pub fn with_capacity(capacity: usize) -> Self {
        XmlWriter { out: String::with_capacity(capacity) }
    }

    /// `<name>`
    pub fn open(&mut self, name: &str) {
        self.out.push('<');
        self.out.push_str(name);
        self.out.push('>');
    }

    /// `<name xmlns="namespace">`
    pub fn open_ns(&mut self, name: &str, namespace: &str) {
        self.out.push('<');
        self.out.push_str(name);
        self.out.push_str(" xmlns=\"");
        escape_into(&mut self.out, namespace);
        self.out.push_str("\">");
    }

    /// `</name>`
    pub fn close(&mut self, name: &str) {
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
    }

    /// Escaped character data.
    pub fn text(&mut self, text: &str) {
        escape_into(&mut self.out, text);
    }

    /// Trusted markup-free text (numbers, booleans, base64, timestamps): appended without scanning.
    pub(crate) fn raw(&mut self, text: &str) {
        self.out.push_str(text);
    }

    /// `<name>text</name>`
    pub fn element(&mut self, name: &str, text: &str) {
        self.open(name);
        self.text(text);
        self.close(name);
    }

    /// Writes `value` as the element `name` (nothing for `None`).
    pub fn field<T: XmlValue + ?Sized>(&mut self, name: &str, value: &T) {
        value.write_xml_value(self, name);
    }

    pub fn as_str(&self) -> &str {
        &self.out
    }

    pub fn into_string(self) -> String {
        self.out
    }
}

/// How a value of a model shape is written as the element `name`.
pub trait XmlValue {
    fn write_xml_value(&self, w: &mut XmlWriter, name: &str);
}

impl XmlValue for str {
    fn write_xml_value(&self, w: &mut XmlWriter, name: &str) {
        w.element(name, self);
    }
}

impl XmlValue for String {
    fn write_xml_value(&self, w: &mut XmlWriter, name: &str) {
        w.element(name, self);
    }
}

impl XmlValue for bool {
    fn write_xml_value(&self, w: &mut XmlWriter, name: &str) {
        w.open(name);
        w.raw(if *self { "true" } else { "false" });
        w.close(name);
    }
}

impl XmlValue for i32 {
    fn write_xml_value(&self, w: &mut XmlWriter, name: &str) {
        w.open(name);
        w.raw(&self.to_string());
        w.close(name);
    }
}

impl XmlValue for i64 {
    fn write_xml_value(&self, w: &mut XmlWriter, name: &str) {
        w.open(name);
        w.raw(&self.to_string());
        w.close(name);
    }
}

/// Blobs are base64 on the wire.
impl XmlValue for Vec<u8> {
    fn write_xml_value(&self, w: &mut XmlWriter, name: &str) {
        w.open(name);
        w.raw(&crate::base64::encode(self));
        w.close(name);
    }
}

impl<T: XmlValue> XmlValue for Option<T> {
    fn write_xml_value(&self, w: &mut XmlWriter, name: &str) {
        if let Some(v) = self {
            v.write_xml_value(w, name);
        }
    }
}

impl<T: XmlValue + ?Sized> XmlValue for Box<T> {
    fn write_xml_value(&self, w: &mut XmlWriter, name: &str) {
        (**self).write_xml_value(w, name);
    }
}

/// Lists (not flattened; the models use no `flattened` or `locationName`): `<Name><member>..</member></Name>`, and
/// `<Name/>` for an empty list, as AWS writes it.
impl<T: XmlValue> XmlValue for [T] {
    fn write_xml_value(&self, w: &mut XmlWriter, name: &str) {
        if self.is_empty() {
            w.raw("<");
            w.raw(name);
            w.raw("/>");
            return;
        }
        w.open(name);
        for item in self {
            item.write_xml_value(w, "member");
        }
        w.close(name);
    }
}

impl<T: XmlValue> XmlValue for Vec<T> {
    fn write_xml_value(&self, w: &mut XmlWriter, name: &str) {
        self.as_slice().write_xml_value(w, name);
    }
}

/// Maps: `<Name><entry><key>..</key><value>..</value></entry></Name>`.
impl<K: XmlValue, V: XmlValue> XmlValue for BTreeMap<K, V> {
    fn write_xml_value(&self, w: &mut XmlWriter, name: &str) {
        w.open(name);
        for (k, v) in self {
            w.open("entry");
            k.write_xml_value(w, "key");
            v.write_xml_value(w, "value");
            w.close("entry");
        }
        w.close(name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(escape("a&b<c>d\"e'f"), "a&amp;b&lt;c&gt;d&quot;e'f");
        assert_eq!(escape("x\r\ny\tz\u{1}\u{0}\u{85}"), "x&#xD;\ny\tz\u{FFFD}\u{FFFD}&#x85;");
        assert_eq!(escape("plain"), "plain");
        assert_eq!(escape("a\u{FFFE}b\u{FFFF}c\u{FFFD}"), "a\u{FFFD}b\u{FFFD}c\u{FFFD}");
    }

    #[test]
    fn writes_values() {
        let mut w = XmlWriter::new();
        w.field("S", "a<b");
        w.field("B", &true);
        w.field("I", &42i32);
        w.field("N", &None::<String>);
        w.field("L", &vec!["x".to_string(), "y".to_string()]);
        w.field("E", &Vec::<String>::new());
        let mut m = BTreeMap::new();
        m.insert("k".to_string(), 1i32);
        w.field("M", &m);
        w.field("Blob", &b"hi".to_vec());
        assert_eq!(
            w.into_string(),
            "<S>a&lt;b</S><B>true</B><I>42</I><L><member>x</member><member>y</member></L><E/>\
             <M><entry><key>k</key><value>1</value></entry></M><Blob>aGk=</Blob>"
        );
    }
}
