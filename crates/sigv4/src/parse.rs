//! Finding a request's credentials: the `Authorization` header, or the presigned `X-Amz-*` query parameters.
//!
//! The checks run in the order of AWS's auth error ordering rules (as scratchstack-aws-signature renders them), so
//! that a request with several faults gets the error AWS would give: which form (rule 5), the form's own parameters
//! (6a-6d header, 7a-7d query), `host` signed (8), date format (9), then the credential's shape (11). The time
//! window and the scope's contents (rules 9-12) are [`Auth::check`]'s, in verify.rs, since they need `now`.

use std::borrow::Cow;
use std::fmt;

use crate::encode::decode_str;
use crate::error::{self, SigError};
use crate::request::Request;
use crate::time;

/// The one algorithm SigV4 defines for HMAC signing (SigV4a's `AWS4-ECDSA-P256-SHA256` is not supported).
pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// The largest `X-Amz-Expires` SigV4 allows: seven days, the life of a signing key.
pub const MAX_EXPIRES: u32 = 604_800;

/// Where the signature travelled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// `Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`
    Header,
    /// A presigned URL: `X-Amz-Algorithm`, `X-Amz-Credential`, `X-Amz-Signature`... in the query string.
    Query,
}

/// The credentials of a request, borrowed from it (decoded where the query form percent-encodes them).
#[derive(Clone)]
pub struct Auth<'a> {
    form: Form,
    /// `AKID/YYYYMMDD/region/service/aws4_request`, checked to have five parts.
    credential: Cow<'a, str>,
    /// `host;x-amz-date`, as the client sent it.
    signed_headers: Cow<'a, str>,
    signature: Cow<'a, str>,
    /// The request time in ISO-8601 basic form, as it goes into the string to sign.
    amz_date: Cow<'a, str>,
    timestamp: i64,
    session_token: Option<Cow<'a, str>>,
    expires: Option<u32>,
}

impl Auth<'_> {
    /// Header or presigned query.
    pub fn form(&self) -> Form {
        self.form
    }

    fn credential_part(&self, index: usize) -> &str {
        self.credential.split('/').nth(index).unwrap_or("")
    }

    /// The access key id, first part of the credential (look it up to find the secret).
    pub fn access_key_id(&self) -> &str {
        self.credential_part(0)
    }

    /// The scope's date, `YYYYMMDD` (checked against the request date by [`Auth::check`]).
    pub fn scope_date(&self) -> &str {
        self.credential_part(1)
    }

    /// The scope's region: whatever the client used (Gatehouse accepts any non-empty region).
    pub fn region(&self) -> &str {
        self.credential_part(2)
    }

    /// The scope's service: `iam` or `sts` for a well-behaved client.
    pub fn service(&self) -> &str {
        self.credential_part(3)
    }

    /// The scope's last part, which must be `aws4_request`.
    pub fn scope_terminator(&self) -> &str {
        self.credential_part(4)
    }

    /// `YYYYMMDD/region/service/aws4_request`, the credential without the key id, as in the string to sign.
    pub fn credential_scope(&self) -> &str {
        self.credential.split_once('/').map_or("", |(_, scope)| scope)
    }

    /// The signed header names as the client listed them (`host;x-amz-date`).
    pub fn signed_headers_list(&self) -> &str {
        &self.signed_headers
    }

    /// The signed header names, one by one.
    pub fn signed_headers(&self) -> impl Iterator<Item = &str> {
        self.signed_headers.split(';')
    }

    /// The signature the client sent (lower-case hex when well-formed).
    pub fn signature(&self) -> &str {
        &self.signature
    }

    /// The request time, `YYYYMMDD'T'HHMMSS'Z'`.
    pub fn amz_date(&self) -> &str {
        &self.amz_date
    }

    /// The request time in unix seconds.
    pub fn timestamp(&self) -> i64 {
        self.timestamp
    }

    /// `X-Amz-Security-Token`, from the header (header form) or the query (presigned), the other place as a fallback.
    pub fn session_token(&self) -> Option<&str> {
        self.session_token.as_deref()
    }

    /// `X-Amz-Expires` of a presigned request, if given.
    pub fn expires(&self) -> Option<u32> {
        self.expires
    }
}

/// Never prints the signature or the session token: with the request they would let a reader replay it.
impl fmt::Debug for Auth<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Auth")
            .field("form", &self.form)
            .field("credential", &self.credential)
            .field("signed_headers", &self.signed_headers)
            .field("signature", &"<redacted>")
            .field("amz_date", &self.amz_date)
            .field("session_token", &self.session_token.as_ref().map(|_| "<redacted>"))
            .field("expires", &self.expires)
            .finish()
    }
}

/// Finds and checks the shape of a request's credentials. Errors: no auth at all is
/// [`SigError::MissingAuthenticationToken`]; a malformed or incomplete header or query is
/// [`SigError::IncompleteSignature`] with AWS's text; SignedHeaders without `host` (in either form, `:authority`
/// alone included) is a [`SigError::SignatureDoesNotMatch`] with AWS's text (see `MSG_HOST_MUST_BE_SIGNED`).
pub fn parse<'a>(req: &Request<'a>) -> Result<Auth<'a>, SigError> {
    match (req.header("authorization"), req.query_param("X-Amz-Algorithm")) {
        (Some(header), None) => parse_header(req, header),
        (None, Some(algorithm)) => parse_query(req, &algorithm),
        // Rule 5: both at once is refused, with the generic text (AWS gives no specific one).
        (Some(_), Some(_)) => Err(SigError::mismatch()),
        (None, None) => Err(SigError::MissingAuthenticationToken),
    }
}

/// The parts both forms produce, checked in common by [`finish`].
struct Found<'a> {
    form: Form,
    credential: Cow<'a, str>,
    signed_headers: Cow<'a, str>,
    signature: Cow<'a, str>,
    /// The raw date and whether it came from a `Date` header (which may be IMF-fixdate) rather than `X-Amz-Date`.
    date: (Cow<'a, str>, bool),
    session_token: Option<Cow<'a, str>>,
    expires: Option<u32>,
}

fn parse_header<'a>(req: &Request<'a>, value: &'a str) -> Result<Auth<'a>, SigError> {
    let header = value.trim_ascii();
    let (algorithm, params) = header.split_once(|c: char| c.is_ascii_whitespace()).unwrap_or((header, ""));
    // Rule 6a.
    if algorithm != ALGORITHM {
        return Err(SigError::incomplete(format!("Unsupported AWS 'algorithm': '{algorithm}'.")));
    }
    // Rule 6b: AWS splits on commas *and* spaces, which is why `Credential= AKID/...` (a stray space) is answered
    // "'AKID/...' not a valid key=value pair (missing equal-sign) in Authorization header: '...'." (boto/boto3#2280).
    let (mut credential, mut signed_headers, mut signature) = (None, None, None);
    for token in params.split(|c: char| c == ',' || c.is_ascii_whitespace()).filter(|t| !t.is_empty()) {
        let Some((key, val)) = token.split_once('=') else {
            return Err(SigError::incomplete(format!(
                "'{token}' not a valid key=value pair (missing equal-sign) in Authorization header: '{header}'."
            )));
        };
        // Rule 6c: a repeated key overwrites; unknown keys are ignored.
        match key {
            "Credential" => credential = Some(val),
            "SignedHeaders" => signed_headers = Some(val),
            "Signature" => signature = Some(val),
            _ => {}
        }
    }
    // AWS looks for X-Amz-Date first and falls back to Date ("Handling dates in Signature Version 4").
    let date = match req.header("x-amz-date") {
        Some(d) => Some((d, false)),
        None => req.header("date").map(|d| (d, true)),
    };
    // Rule 6d: every missing part is named, in this order, then the header is echoed.
    let (credential, signature, signed_headers, (date, from_date_header)) =
        match (credential, signature, signed_headers, date) {
            (Some(c), Some(s), Some(h), Some(d)) => (c, s, h, d),
            (c, s, h, d) => {
                let mut message = missing_list([
                    (c.is_none(), error::MSG_HEADER_REQUIRES_CREDENTIAL),
                    (s.is_none(), error::MSG_HEADER_REQUIRES_SIGNATURE),
                    (h.is_none(), error::MSG_HEADER_REQUIRES_SIGNED_HEADERS),
                    (d.is_none(), error::MSG_HEADER_REQUIRES_DATE),
                ]);
                message.push_str("Authorization=");
                message.push_str(header);
                return Err(SigError::incomplete(message));
            }
        };
    let session_token =
        req.header("x-amz-security-token").map(Cow::Borrowed).or_else(|| req.query_param("X-Amz-Security-Token"));
    finish(Found {
        form: Form::Header,
        credential: Cow::Borrowed(credential),
        signed_headers: Cow::Borrowed(signed_headers),
        signature: Cow::Borrowed(signature),
        date: (Cow::Borrowed(date), from_date_header),
        session_token,
        expires: None,
    })
}

/// The texts of the absent parts, each followed by a space.
fn missing_list(parts: [(bool, &str); 4]) -> String {
    let mut message = String::new();
    for (absent, text) in parts {
        if absent {
            message.push_str(text);
            message.push(' ');
        }
    }
    message
}

fn parse_query<'a>(req: &Request<'a>, algorithm: &str) -> Result<Auth<'a>, SigError> {
    // Rule 7a: a presigned request with another algorithm counts as not authenticated at all.
    if algorithm != ALGORITHM {
        return Err(SigError::MissingAuthenticationToken);
    }
    let (mut credential, mut signature, mut signed_headers, mut date, mut expires, mut token) =
        (None, None, None, None, None, None);
    for (raw_key, raw_value) in req.query_pairs() {
        let slot = match decode_str(raw_key).as_ref() {
            "X-Amz-Credential" => &mut credential,
            "X-Amz-Signature" => &mut signature,
            "X-Amz-SignedHeaders" => &mut signed_headers,
            "X-Amz-Date" => &mut date,
            "X-Amz-Expires" => &mut expires,
            "X-Amz-Security-Token" => &mut token,
            _ => continue,
        };
        // Rule 7c: the first value of a repeated parameter counts.
        if slot.is_none() {
            *slot = Some(decode_str(raw_value));
        }
    }
    // Rule 7d: every missing parameter is named, then a closing sentence.
    let (credential, signature, signed_headers, date) = match (credential, signature, signed_headers, date) {
        (Some(c), Some(s), Some(h), Some(d)) => (c, s, h, d),
        (c, s, h, d) => {
            let mut message = missing_list([
                (c.is_none(), error::MSG_QUERY_REQUIRES_CREDENTIAL),
                (s.is_none(), error::MSG_QUERY_REQUIRES_SIGNATURE),
                (h.is_none(), error::MSG_QUERY_REQUIRES_SIGNED_HEADERS),
                (d.is_none(), error::MSG_QUERY_REQUIRES_DATE),
            ]);
            message.push_str(error::MSG_REEXAMINE_QUERY);
            return Err(SigError::incomplete(message));
        }
    };
    let expires = expires.as_deref().map(parse_expires).transpose()?;
    let session_token = token.or_else(|| req.header("x-amz-security-token").map(Cow::Borrowed));
    finish(Found {
        form: Form::Query,
        credential,
        signed_headers,
        signature,
        date: (date, false),
        session_token,
        expires,
    })
}

/// `X-Amz-Expires`: whole seconds, at most a week. The week text is S3's recorded answer
/// (`AuthorizationQueryParametersError`, bryanjos/aws_auth#31); the other two are S3's texts as we remember them
/// (*inferred*, no recording found). Gatehouse answers all three as `IncompleteSignature` (400, like S3's code).
fn parse_expires(raw: &str) -> Result<u32, SigError> {
    if raw.starts_with('-') {
        return Err(SigError::incomplete("X-Amz-Expires must be non-negative"));
    }
    if raw.is_empty() || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return Err(SigError::incomplete("X-Amz-Expires should be a number"));
    }
    match raw.parse::<u64>() {
        Ok(secs) if secs <= u64::from(MAX_EXPIRES) => u32::try_from(secs).map_err(|_| expires_too_long()),
        _ => Err(expires_too_long()),
    }
}

fn expires_too_long() -> SigError {
    SigError::incomplete(
        "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than \
         604800 seconds",
    )
}

fn finish(found: Found<'_>) -> Result<Auth<'_>, SigError> {
    // Rule 8: `host` must be signed, or the request could be replayed to another host. Only `host` itself counts
    // (in any case, since the canonical request lower-cases the list): AWS also takes `:authority`, HTTP/2's
    // pseudo-header, but the server hands every request over with its `Host` (see [`Request`]), so a signature over
    // `:authority` alone would cover an empty value and bind the request to no host at all.
    if !found.signed_headers.split(';').any(|h| h.eq_ignore_ascii_case("host")) {
        return Err(SigError::SignatureDoesNotMatch(Cow::Borrowed(error::MSG_HOST_MUST_BE_SIGNED)));
    }
    // Rule 9 (format part): X-Amz-Date is ISO-8601 basic; a Date header may also be an HTTP date.
    let (raw_date, from_date_header) = found.date;
    let trimmed = raw_date.trim_ascii();
    let parsed = if from_date_header { time::parse_http_date(trimmed) } else { time::parse_iso_basic(trimmed) };
    let Some(timestamp) = parsed else {
        return Err(SigError::incomplete(format!(
            "Date must be in ISO-8601 'basic format'. Got '{raw_date}'. See http://en.wikipedia.org/wiki/ISO_8601"
        )));
    };
    // The string to sign carries the ISO form: the header's own text when it is exactly that, else reformatted.
    let amz_date = if !from_date_header && trimmed.len() == raw_date.len() {
        raw_date
    } else {
        Cow::Owned(time::format_iso_basic(timestamp))
    };
    // Rule 11: the credential has exactly five parts (STS's answer recorded in hashicorp/vault#4939).
    if found.credential.split('/').count() != 5 {
        return Err(SigError::incomplete(format!(
            "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '{}'",
            found.credential
        )));
    }
    Ok(Auth {
        form: found.form,
        credential: found.credential,
        signed_headers: found.signed_headers,
        signature: found.signature,
        amz_date,
        timestamp,
        session_token: found.session_token,
        expires: found.expires,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CRED: &str = "AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request";

    fn header_auth(auth: &str, extra: &[(&str, &str)]) -> Result<(), SigError> {
        let mut headers = vec![("Host", "iam.amazonaws.com"), ("Authorization", auth)];
        headers.extend_from_slice(extra);
        let req = Request::new("POST", "/", "", &headers, b"");
        parse(&req).map(|_| ())
    }

    fn incomplete(message: &str) -> Result<(), SigError> {
        Err(SigError::IncompleteSignature(message.to_owned().into()))
    }

    #[test]
    fn parses_the_header_form() {
        let auth_value = format!("AWS4-HMAC-SHA256 Credential={CRED}, SignedHeaders=host;x-amz-date, Signature=abc");
        let headers = [
            ("Host", "iam.amazonaws.com"),
            ("X-Amz-Date", "20150830T123600Z"),
            ("X-Amz-Security-Token", "tok"),
            ("Authorization", auth_value.as_str()),
        ];
        let req = Request::new("POST", "/", "", &headers, b"");
        let auth = parse(&req).expect("parses");
        assert_eq!(auth.form(), Form::Header);
        assert_eq!(auth.access_key_id(), "AKIDEXAMPLE");
        assert_eq!(auth.scope_date(), "20150830");
        assert_eq!(auth.region(), "us-east-1");
        assert_eq!(auth.service(), "iam");
        assert_eq!(auth.scope_terminator(), "aws4_request");
        assert_eq!(auth.credential_scope(), "20150830/us-east-1/iam/aws4_request");
        assert_eq!(auth.signed_headers().collect::<Vec<_>>(), ["host", "x-amz-date"]);
        assert_eq!(auth.signature(), "abc");
        assert_eq!(auth.amz_date(), "20150830T123600Z");
        assert_eq!(auth.timestamp(), 1_440_938_160);
        assert_eq!(auth.session_token(), Some("tok"));
        assert_eq!(auth.expires(), None);
        let debug = format!("{auth:?}");
        assert!(!debug.contains("tok\"") && !debug.contains("abc"), "{debug}");
    }

    #[test]
    fn parses_the_query_form() {
        let query = "Action=GetCallerIdentity&X-Amz-Algorithm=AWS4-HMAC-SHA256\
                     &X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fsts%2Faws4_request\
                     &X-Amz-Date=20150830T123600Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host\
                     &X-Amz-Security-Token=a%2Bb%2F%3D&X-Amz-Signature=def&X-Amz-Signature=ignored";
        let headers = [("host", "sts.amazonaws.com")];
        let req = Request::new("GET", "/", query, &headers, b"");
        let auth = parse(&req).expect("parses");
        assert_eq!(auth.form(), Form::Query);
        assert_eq!(auth.access_key_id(), "AKIDEXAMPLE");
        assert_eq!(auth.service(), "sts");
        assert_eq!(auth.signature(), "def");
        assert_eq!(auth.session_token(), Some("a+b/="));
        assert_eq!(auth.expires(), Some(60));
        assert_eq!(auth.timestamp(), 1_440_938_160);
    }

    #[test]
    fn the_date_header_is_a_fallback() {
        let auth_value = format!("AWS4-HMAC-SHA256 Credential={CRED}, SignedHeaders=date;host, Signature=abc");
        let headers = [("Date", "Sun, 30 Aug 2015 12:36:00 GMT"), ("Host", "h"), ("Authorization", &auth_value)];
        let auth = parse(&Request::new("GET", "/", "", &headers, b"")).expect("parses");
        assert_eq!(auth.amz_date(), "20150830T123600Z");
        assert_eq!(auth.timestamp(), 1_440_938_160);
    }

    #[test]
    fn no_auth_at_all_is_missing() {
        let headers = [("Host", "iam.amazonaws.com"), ("X-Amz-Date", "20150830T123600Z")];
        for query in
            ["", "Action=ListUsers", "X-Amz-Credential=a%2Fb&X-Amz-Signature=x", "x-amz-algorithm=AWS4-HMAC-SHA256"]
        {
            let req = Request::new("GET", "/", query, &headers, b"");
            assert_eq!(parse(&req).map(|_| ()), Err(SigError::MissingAuthenticationToken), "{query}");
        }
        // Rule 7a: another algorithm in a presigned URL is no authentication either.
        let req = Request::new("GET", "/", "X-Amz-Algorithm=AWS4-HMAC-SHA1", &headers, b"");
        assert_eq!(parse(&req).map(|_| ()), Err(SigError::MissingAuthenticationToken));
    }

    #[test]
    fn header_with_every_part_missing_lists_them_all() {
        assert_eq!(
            header_auth("AWS4-HMAC-SHA256", &[]),
            incomplete(
                "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' \
                 parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires \
                 existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=AWS4-HMAC-SHA256"
            )
        );
        let partial = format!("AWS4-HMAC-SHA256 Credential={CRED}, SignedHeaders=host");
        assert_eq!(
            header_auth(&partial, &[("X-Amz-Date", "20150830T123600Z")]),
            incomplete(&format!("Authorization header requires 'Signature' parameter. Authorization={partial}"))
        );
    }

    #[test]
    fn header_errors_use_aws_texts() {
        let date = [("X-Amz-Date", "20150830T123600Z")];
        assert_eq!(
            header_auth("AWS4-HMAC-SHA512 Credential=x", &date),
            incomplete("Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512'.")
        );
        assert_eq!(header_auth("Bearer abc.def", &date), incomplete("Unsupported AWS 'algorithm': 'Bearer'."));
        assert_eq!(header_auth("", &date), incomplete("Unsupported AWS 'algorithm': ''."));
        let stray_space = format!("AWS4-HMAC-SHA256 Credential= {CRED}, SignedHeaders=host, Signature=abc");
        assert_eq!(
            header_auth(&stray_space, &date),
            incomplete(&format!(
                "'{CRED}' not a valid key=value pair (missing equal-sign) in Authorization header: '{stray_space}'."
            ))
        );
        assert_eq!(
            header_auth(
                "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/iam, SignedHeaders=host, Signature=a",
                &date
            ),
            incomplete(
                "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got \
                 'AKID/20150830/us-east-1/iam'"
            )
        );
        let no_host = format!("AWS4-HMAC-SHA256 Credential={CRED}, SignedHeaders=x-amz-date, Signature=abc");
        assert_eq!(
            header_auth(&no_host, &date),
            Err(SigError::SignatureDoesNotMatch(
                "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.".into()
            ))
        );
        let full = format!("AWS4-HMAC-SHA256 Credential={CRED}, SignedHeaders=host, Signature=abc");
        assert_eq!(
            header_auth(&full, &[("X-Amz-Date", "2015-08-30T12:36:00Z")]),
            incomplete(
                "Date must be in ISO-8601 'basic format'. Got '2015-08-30T12:36:00Z'. See \
                 http://en.wikipedia.org/wiki/ISO_8601"
            )
        );
        // X-Amz-Date wins over Date, even when it is the broken one.
        assert!(header_auth(&full, &[("X-Amz-Date", "junk"), ("Date", "Sun, 30 Aug 2015 12:36:00 GMT")]).is_err());
        assert!(header_auth(&full, &date).is_ok());
    }

    /// `host` itself must be signed, in the header and in the presigned form: `:authority` does not stand in for it.
    #[test]
    fn host_must_be_among_the_signed_headers() {
        let host_unsigned = || Err(SigError::SignatureDoesNotMatch(error::MSG_HOST_MUST_BE_SIGNED.into()));
        let date = [("X-Amz-Date", "20150830T123600Z")];
        for signed in ["x-amz-date", ":authority", ":authority;x-amz-date", "hostx;x-amz-date", "", "ho;st"] {
            let auth = format!("AWS4-HMAC-SHA256 Credential={CRED}, SignedHeaders={signed}, Signature=abc");
            assert_eq!(header_auth(&auth, &date), host_unsigned(), "header form, SignedHeaders={signed}");
            let query = format!(
                "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20150830%2Fus-east-1%2Fsts%2Faws4_request\
                 &X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders={}&X-Amz-Signature=abc",
                signed.replace(';', "%3B").replace(':', "%3A")
            );
            let headers = [("Host", "h")];
            let req = Request::new("GET", "/", &query, &headers, b"");
            assert_eq!(parse(&req).map(|_| ()), host_unsigned(), "query form, X-Amz-SignedHeaders={signed}");
        }
        for signed in ["host", "HOST", ":authority;host", "host;x-amz-date", "content-type;host;x-amz-date"] {
            let auth = format!("AWS4-HMAC-SHA256 Credential={CRED}, SignedHeaders={signed}, Signature=abc");
            assert_eq!(header_auth(&auth, &date), Ok(()), "header form, SignedHeaders={signed}");
        }
    }

    #[test]
    fn both_forms_at_once_are_refused() {
        let auth_value = format!("AWS4-HMAC-SHA256 Credential={CRED}, SignedHeaders=host, Signature=abc");
        let headers = [("Host", "h"), ("X-Amz-Date", "20150830T123600Z"), ("Authorization", auth_value.as_str())];
        let req = Request::new("GET", "/", "X-Amz-Algorithm=AWS4-HMAC-SHA256", &headers, b"");
        assert_eq!(parse(&req).map(|_| ()), Err(SigError::mismatch()));
    }

    #[test]
    fn query_errors_use_aws_texts() {
        let headers = [("Host", "h")];
        let parse_query = |q: &str| parse(&Request::new("GET", "/", q, &headers, b"")).map(|_| ());
        assert_eq!(
            parse_query("X-Amz-Algorithm=AWS4-HMAC-SHA256"),
            incomplete(
                "AWS query-string parameters must include 'X-Amz-Credential'. AWS query-string parameters must \
                 include 'X-Amz-Signature'. AWS query-string parameters must include 'X-Amz-SignedHeaders'. AWS \
                 query-string parameters must include 'X-Amz-Date'. Re-examine the query-string parameters."
            )
        );
        let base = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20150830%2Fus-east-1%2Fsts%2Faws4_request\
                    &X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Signature=abc";
        assert!(parse_query(base).is_ok());
        assert_eq!(
            parse_query(&format!("{base}&X-Amz-Expires=604801")),
            incomplete(
                "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less \
                 than 604800 seconds"
            )
        );
        assert!(parse_query(&format!("{base}&X-Amz-Expires=604800")).is_ok());
        assert!(parse_query(&format!("{base}&X-Amz-Expires=99999999999999999999999")).is_err());
        assert_eq!(parse_query(&format!("{base}&X-Amz-Expires=-1")), incomplete("X-Amz-Expires must be non-negative"));
        assert_eq!(parse_query(&format!("{base}&X-Amz-Expires=1h")), incomplete("X-Amz-Expires should be a number"));
        assert_eq!(parse_query(&format!("{base}&X-Amz-Expires=")), incomplete("X-Amz-Expires should be a number"));
    }

    /// Whatever arrives, parsing answers without panicking.
    #[test]
    fn odd_inputs_never_panic() {
        let odd_auth = [
            "",
            " ",
            ",",
            "=",
            "AWS4-HMAC-SHA256",
            "AWS4-HMAC-SHA256 ",
            "AWS4-HMAC-SHA256 ,,,,",
            "AWS4-HMAC-SHA256 ====",
            "AWS4-HMAC-SHA256 Credential",
            "AWS4-HMAC-SHA256 Credential=",
            "AWS4-HMAC-SHA256 Credential=/////, SignedHeaders=;;;, Signature=",
            "AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=HOST, Signature=zz",
            "AWS4-HMAC-SHA256 Credential=a/b/c/d/e/f, SignedHeaders=host, Signature=00",
            "AWS4-HMAC-SHA256\tCredential=a/b/c/d/e,SignedHeaders=host,Signature=00",
            "AWS4-HMAC-SHA256 Credential=\u{1234}/\u{e9}/\u{0}/x/y, SignedHeaders=h\u{1f600}st, Signature=\u{fffd}",
            "aws4-hmac-sha256 Credential=a/b/c/d/e, SignedHeaders=host, Signature=00",
            "AWS AKIDEXAMPLE:c2lnbmF0dXJl",
            "Basic dXNlcjpwYXNz",
            "\u{0}\u{1}\u{7f}",
            "AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=host, Signature=00, Signature=11, Extra=1",
        ];
        let odd_dates =
            ["", "0", "20150830T123600Z", "99991231T235959Z", "00000101T000000Z", "\u{1234}\u{1234}\u{1234}\u{1234}1"];
        for auth in odd_auth {
            for date in odd_dates {
                let headers = [("Host", "h"), ("X-Amz-Date", date), ("Authorization", auth)];
                let req = Request::new("GET", "/", "", &headers, b"");
                let _ = parse(&req);
                let headers = [("Host", "h"), ("Date", date), ("Authorization", auth)];
                let _ = parse(&Request::new("GET", "/", "", &headers, b""));
            }
        }
        let odd_queries = [
            "&&&",
            "=&=&=",
            "X-Amz-Algorithm",
            "X-Amz-Algorithm=",
            "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=%&X-Amz-Date=%%%&X-Amz-SignedHeaders=%zz&X-Amz-Signature=",
            "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=a%2Fb%2Fc%2Fd%2Fe&X-Amz-Date=20150830T123600Z\
             &X-Amz-SignedHeaders=host&X-Amz-Signature=%FF%FE&X-Amz-Expires=%31%32",
            "X%2DAmz%2DAlgorithm=AWS4%2DHMAC%2DSHA256",
            "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=+&X-Amz-Date=+",
        ];
        for query in odd_queries {
            let req = Request::new("GET", "/", query, &[], b"");
            let _ = parse(&req);
        }
    }
}
