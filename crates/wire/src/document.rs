//! Policy documents in responses. IAM returns every policy document (managed policy versions, inline policies,
//! trust policies) URL-encoded "compliant with RFC 3986" (its API reference); the SDKs and the CLI decode them.
//! Everything but RFC 3986's unreserved characters is percent-encoded, spaces as `%20` (boto3 decodes with
//! `unquote`, which would leave a `+` as it is).

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

const RFC3986_RESERVED: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// The document as IAM sends it.
pub fn encode_document(document: &str) -> String {
    utf8_percent_encode(document, RFC3986_RESERVED).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3986() {
        assert_eq!(
            encode_document(r#"{"Action": "s3:*", "Resource": "arn:aws:s3:::b/x~y_z.-"}"#),
            "%7B%22Action%22%3A%20%22s3%3A%2A%22%2C%20%22Resource%22%3A%20%22arn%3Aaws%3As3%3A%3A%3Ab%2Fx~y_z.-%22%7D"
        );
        assert_eq!(encode_document("é\n"), "%C3%A9%0A");
        // The stored text is the text as submitted: a client decoding once reads back a `%3A` it sent.
        assert_eq!(encode_document("+%3A"), "%2B%253A");
    }
}
