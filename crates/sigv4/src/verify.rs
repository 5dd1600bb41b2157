//! Deciding: the time window, the credential scope, and the signature itself.

use std::borrow::Cow;
use std::fmt::Write as _;

use subtle::ConstantTimeEq;

use crate::canonical::{payload_hash, QueryToken};
use crate::error::SigError;
use crate::parse::{Auth, Form};
use crate::request::{key_is, Request};
use crate::sign::expected_signature;
use crate::time::format_iso_basic;

/// How far the request time may be from the server's: 15 minutes either way, as AWS allows.
pub const MAX_CLOCK_SKEW_SECS: i64 = 15 * 60;

fn minutes_or_seconds(secs: i64) -> String {
    if secs % 60 == 0 {
        format!("{} min", secs / 60)
    } else {
        format!("{secs} sec")
    }
}

impl Auth<'_> {
    /// The checks that need no secret, in AWS's order, so the server runs them before looking the key up (AWS
    /// answers a stale request `SignatureDoesNotMatch` even when its key id is unknown). [`verify`] runs them again.
    ///
    /// 1. The request time is within 15 minutes of `now` (unix seconds), with AWS's texts ("Troubleshoot signed
    ///    requests for AWS APIs"): `Signature expired: <request> is now earlier than <now - 15 min>
    ///    (<now> - 15 min.)` and `Signature not yet current: <request> is still later than <now + 15 min>
    ///    (<now> + 15 min.)`. This holds for presigned URLs as well: STS keeps to 15 minutes whatever
    ///    `X-Amz-Expires` says (aws/aws-sdk-go#2167).
    /// 2. A presigned URL past `X-Amz-Date + X-Amz-Expires` is expired too. AWS's text for this case was not found;
    ///    the same sentence is used with the URL's own window (*inferred*): `... (<now> - 1 min.)` for 60 seconds.
    /// 3. The scope: a non-empty region, the `aws4_request` terminator, and the scope date equal to the request's
    ///    date. Each fault adds a sentence ending in `. ` (AWS's scope texts carry that trailing space: "Credential
    ///    should be scoped to a valid region, not 'ap-southeast-2'. ", cognitect-labs/aws-api#27); the terminator
    ///    and date texts are scratchstack's renderings of AWS's.
    ///
    /// The service is the server's to check, with [`Auth::require_service`]; any region is accepted on purpose.
    pub fn check(&self, now: i64) -> Result<(), SigError> {
        let ts = self.timestamp();
        let earliest = now.saturating_sub(MAX_CLOCK_SKEW_SECS);
        if ts < earliest {
            return Err(expired(ts, earliest, now, MAX_CLOCK_SKEW_SECS));
        }
        let latest = now.saturating_add(MAX_CLOCK_SKEW_SECS);
        if ts > latest {
            return Err(SigError::SignatureDoesNotMatch(Cow::Owned(format!(
                "Signature not yet current: {} is still later than {} ({} + 15 min.)",
                format_iso_basic(ts),
                format_iso_basic(latest),
                format_iso_basic(now)
            ))));
        }
        if let Some(expires) = self.expires() {
            let window = i64::from(expires);
            let earliest = now.saturating_sub(window);
            if ts < earliest {
                return Err(expired(ts, earliest, now, window));
            }
        }

        let mut problems = String::new();
        if self.region().is_empty() {
            problems.push_str("Credential should be scoped to a valid region, not ''. ");
        }
        if self.scope_terminator() != "aws4_request" {
            let _ = write!(
                problems,
                "Credential should be scoped with a valid terminator: 'aws4_request', not '{}'. ",
                self.scope_terminator()
            );
        }
        // The amz-date is ISO-8601 basic, so its first eight characters are the request's YYYYMMDD.
        let request_day = self.amz_date().get(..8).unwrap_or_default();
        if self.scope_date() != request_day {
            let _ = write!(
                problems,
                "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{}' != \
                 '{}', from '{}'. ",
                self.scope_date(),
                request_day,
                self.amz_date()
            );
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(SigError::SignatureDoesNotMatch(Cow::Owned(problems)))
        }
    }

    /// Refuses a scope naming another service than the one the request is for:
    /// `Credential should be scoped to correct service: 'sts'. ` (`SignatureDoesNotMatch`; the trailing space is
    /// AWS's, recorded in cllunsford/aws-signing-proxy#25). IAM and STS share a port, so the server knows which
    /// service a request is for only from its action.
    pub fn require_service(&self, expected: &str) -> Result<(), SigError> {
        if self.service() == expected {
            Ok(())
        } else {
            Err(SigError::SignatureDoesNotMatch(Cow::Owned(format!(
                "Credential should be scoped to correct service: '{expected}'. "
            ))))
        }
    }
}

fn expired(ts: i64, earliest: i64, now: i64, window: i64) -> SigError {
    SigError::SignatureDoesNotMatch(Cow::Owned(format!(
        "Signature expired: {} is now earlier than {} ({} - {}.)",
        format_iso_basic(ts),
        format_iso_basic(earliest),
        format_iso_basic(now),
        minutes_or_seconds(window)
    )))
}

/// Verifies a request: [`Auth::check`] at `now` (unix seconds), then the signature under `signing_key` (from
/// [`crate::signing_key`] or [`Auth::signing_key`]), compared in constant time. A wrong signature is
/// `SignatureDoesNotMatch` with AWS's generic text. The body is hashed once.
pub fn verify(auth: &Auth<'_>, req: &Request<'_>, signing_key: &[u8; 32], now: i64) -> Result<(), SigError> {
    auth.check(now)?;
    let payload = payload_hash(req.body);
    let matches = |token| {
        let expected = expected_signature(auth, req, signing_key, token, &payload);
        bool::from(expected.as_bytes().ct_eq(auth.signature().as_bytes()))
    };
    if matches(QueryToken::Signed) {
        return Ok(());
    }
    // A presigned URL whose session token was appended after signing (see `QueryToken::Unsigned`): tried only when
    // the signed form failed, so the common path signs once.
    let token_in_query =
        auth.form() == Form::Query && req.query_pairs().any(|(k, _)| key_is(k, "X-Amz-Security-Token"));
    if token_in_query && matches(QueryToken::Unsigned) {
        return Ok(());
    }
    Err(SigError::mismatch())
}

/// [`verify`] with the secret access key instead of a derived signing key.
pub fn verify_with_secret(auth: &Auth<'_>, req: &Request<'_>, secret: &str, now: i64) -> Result<(), SigError> {
    verify(auth, req, &auth.signing_key(secret), now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse;
    use crate::sign::signature;

    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    const T: i64 = 1_440_938_160; // 20150830T123600Z

    fn mismatch(message: &str) -> Result<(), SigError> {
        Err(SigError::SignatureDoesNotMatch(message.to_owned().into()))
    }

    /// A presigned STS GetCallerIdentity URL, signed by this crate, with the given expiry and credential.
    fn presigned(expires: &str, credential: &str) -> String {
        let unsigned = format!(
            "Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=AWS4-HMAC-SHA256\
             &X-Amz-Credential={credential}&X-Amz-Date=20150830T123600Z&X-Amz-Expires={expires}\
             &X-Amz-SignedHeaders=host&X-Amz-Signature=0"
        );
        let headers = [("Host", "sts.amazonaws.com")];
        let req = Request::new("GET", "/", &unsigned, &headers, b"");
        let auth = parse(&req).expect("parses");
        let sig = signature(&auth, &req, &auth.signing_key(SECRET), QueryToken::Signed);
        unsigned.replace("X-Amz-Signature=0", &format!("X-Amz-Signature={sig}"))
    }

    const STS_CRED: &str = "AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fsts%2Faws4_request";

    fn verify_query(query: &str, now: i64) -> Result<(), SigError> {
        let headers = [("Host", "sts.amazonaws.com")];
        let req = Request::new("GET", "/", query, &headers, b"");
        let auth = parse(&req)?;
        verify_with_secret(&auth, &req, SECRET, now)
    }

    #[test]
    fn a_presigned_url_expires_with_its_own_window() {
        let url = presigned("60", STS_CRED);
        assert_eq!(verify_query(&url, T), Ok(()));
        assert_eq!(verify_query(&url, T + 60), Ok(()));
        assert_eq!(
            verify_query(&url, T + 61),
            mismatch(
                "Signature expired: 20150830T123600Z is now earlier than 20150830T123601Z (20150830T123701Z - 1 min.)"
            )
        );
        let url = presigned("90", STS_CRED);
        assert_eq!(
            verify_query(&url, T + 100),
            mismatch(
                "Signature expired: 20150830T123600Z is now earlier than 20150830T123610Z (20150830T123740Z - 90 sec.)"
            )
        );
        // A longer window does not stretch the 15 minutes.
        let url = presigned("3600", STS_CRED);
        assert_eq!(
            verify_query(&url, T + 901),
            mismatch(
                "Signature expired: 20150830T123600Z is now earlier than 20150830T123601Z (20150830T125101Z - 15 min.)"
            )
        );
        assert_eq!(verify_query(&url, T + 900), Ok(()));
        assert_eq!(verify_query(&url, T - 900), Ok(()));
    }

    #[test]
    fn scope_faults_are_reported_together() {
        let url = presigned("60", "AKIDEXAMPLE%2F20150831%2F%2Fsts%2Faws5_request");
        assert_eq!(
            verify_query(&url, T),
            mismatch(
                "Credential should be scoped to a valid region, not ''. Credential should be scoped with a valid \
                 terminator: 'aws4_request', not 'aws5_request'. Date in Credential scope does not match YYYYMMDD \
                 from ISO-8601 version of date from HTTP: '20150831' != '20150830', from '20150830T123600Z'. "
            )
        );
    }

    #[test]
    fn the_service_is_the_servers_to_check() {
        let url = presigned("60", STS_CRED);
        let headers = [("Host", "sts.amazonaws.com")];
        let req = Request::new("GET", "/", &url, &headers, b"");
        let auth = parse(&req).expect("parses");
        assert_eq!(auth.require_service("sts"), Ok(()));
        assert_eq!(
            auth.require_service("iam").map_err(|e| e.message().to_owned()),
            Err("Credential should be scoped to correct service: 'iam'. ".to_owned())
        );
    }

    #[test]
    fn a_tampered_presigned_url_fails() {
        let url = presigned("60", STS_CRED);
        for tampered in [
            url.replace("GetCallerIdentity", "GetSessionToken"),
            format!("{url}&Extra=1"),
            url.replace("Version=2011-06-15&", ""),
        ] {
            assert_eq!(verify_query(&tampered, T), Err(SigError::mismatch()), "{tampered}");
        }
        let headers = [("Host", "sts.amazonaws.com.evil")];
        let req = Request::new("GET", "/", &url, &headers, b"");
        let auth = parse(&req).expect("parses");
        assert_eq!(verify_with_secret(&auth, &req, SECRET, T), Err(SigError::mismatch()));
        assert_eq!(verify_with_secret(&auth, &req, "another secret", T), Err(SigError::mismatch()));
    }

    #[test]
    fn extreme_clocks_do_not_panic() {
        let url = presigned("60", STS_CRED);
        for now in [i64::MIN, i64::MIN + 1, -1, 0, i64::MAX - 1, i64::MAX] {
            assert!(verify_query(&url, now).is_err());
        }
    }
}

#[cfg(test)]
mod fuzz {
    use super::*;
    use crate::parse::parse;

    /// A deterministic xorshift, so a failure reproduces.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
            items[(self.next() % items.len() as u64) as usize]
        }

        /// A string made of pieces that matter to the parsers.
        fn text(&mut self, pieces: &[&str]) -> String {
            let len = self.next() % 12;
            (0..len).map(|_| self.pick(pieces)).collect()
        }
    }

    const AUTH_PIECES: &[&str] = &[
        "AWS4-HMAC-SHA256",
        " ",
        ",",
        "=",
        "/",
        ";",
        "Credential=",
        "SignedHeaders=",
        "Signature=",
        "AKID/20150830/us-east-1/iam/aws4_request",
        "host",
        "x-amz-date",
        "\t",
        "\u{e9}",
        "\u{1f600}",
        "00ff",
    ];
    const QUERY_PIECES: &[&str] = &[
        "&",
        "=",
        "%",
        "%2",
        "%2F",
        "%zz",
        "+",
        "X-Amz-Algorithm=AWS4-HMAC-SHA256",
        "X-Amz-Credential=AKID%2F20150830%2Fus-east-1%2Fiam%2Faws4_request",
        "X-Amz-Date=20150830T123600Z",
        "X-Amz-SignedHeaders=host",
        "X-Amz-Signature=00",
        "X-Amz-Expires=",
        "60",
        "X-Amz-Security-Token=",
        "\u{1234}",
    ];
    const PATHS: &[&str] =
        &["", "/", "*", "//..//", "/%", "/%2", "/a/../../b/./", "/\u{0}/\u{1234}", "/a b/", "relative/.."];
    const DATES: &[&str] = &["20150830T123600Z", "", "2015", "Sun, 30 Aug 2015 12:36:00 GMT", "99999999T999999Z"];

    /// Random requests through the whole pipeline: every step answers, none panics.
    #[test]
    fn random_requests_never_panic() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let mut outcomes = [0usize; 2];
        for _ in 0..5000 {
            let auth_value = rng.text(AUTH_PIECES);
            let query = rng.text(QUERY_PIECES);
            let date = rng.pick(DATES);
            let mut headers = vec![("Host", "h"), ("X-Amz-Date", date), ("My-Header", "  a \t b  ")];
            if rng.next().is_multiple_of(2) {
                headers.push(("Authorization", auth_value.as_str()));
            }
            let mut req = Request::new("POST", rng.pick(PATHS), &query, &headers, b"Action=ListUsers");
            req.normalize_path = !rng.next().is_multiple_of(4);
            let now = 1_440_938_160 + (rng.next() % 4000) as i64 - 2000;
            let result = parse(&req).and_then(|auth| {
                let _ = auth.require_service("iam");
                let _ = crate::canonical_request(&auth, &req, QueryToken::Unsigned);
                verify(&auth, &req, &auth.signing_key("secret"), now)
            });
            outcomes[usize::from(result.is_ok())] += 1;
        }
        // Random signatures never verify.
        assert_eq!(outcomes, [5000, 0]);
    }
}
