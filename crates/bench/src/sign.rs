//! SigV4 for the generator's form POSTs, with `gatehouse-sigv4`'s own canonicalisation and HMAC: the signing key
//! is derived once per day (as SDK clients cache it), the signature is computed afresh for every request. Temporary
//! credentials sign their session token as `x-amz-security-token`, as the SDKs do.

use gatehouse_sigv4::{parse, signature, signing_key, QueryToken, Request};

/// The content type every request carries (and signs).
pub const CONTENT_TYPE: &str = "application/x-www-form-urlencoded; charset=utf-8";

/// The signed headers, in canonical (sorted) order, without and with a session token.
const SIGNED_HEADERS: &str = "content-type;host;x-amz-date";
const SIGNED_HEADERS_WITH_TOKEN: &str = "content-type;host;x-amz-date;x-amz-security-token";

/// The header that carries a session token.
pub const SECURITY_TOKEN: &str = "x-amz-security-token";

/// A signature's worth of zeros: the placeholder `parse` reads before the real signature is known.
const PLACEHOLDER: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Signs POSTs of one service to one host and path with one key.
#[derive(Clone)]
pub struct Signer {
    access_key_id: String,
    secret: String,
    region: String,
    service: String,
    host: String,
    path: String,
    /// The session token of temporary credentials, sent and signed as `x-amz-security-token`.
    token: Option<String>,
    /// The day (`YYYYMMDD`) and its signing key.
    key: Option<(String, [u8; 32])>,
    /// The second and its `x-amz-date`.
    date: Option<(i64, String)>,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("access_key_id", &self.access_key_id)
            .field("region", &self.region)
            .field("service", &self.service)
            .field("host", &self.host)
            .field("path", &self.path)
            .field("session_token", &self.token.is_some())
            .finish_non_exhaustive()
    }
}

/// The two headers a signature adds to a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    pub amz_date: String,
    pub authorization: String,
}

impl Signer {
    pub fn new(access_key_id: &str, secret: &str, region: &str, service: &str, host: &str, path: &str) -> Self {
        Self {
            access_key_id: access_key_id.to_owned(),
            secret: secret.to_owned(),
            region: region.to_owned(),
            service: service.to_owned(),
            host: host.to_owned(),
            path: path.to_owned(),
            token: None,
            key: None,
            date: None,
        }
    }

    /// The same signer for temporary credentials: every request carries and signs their session token.
    pub fn with_session_token(mut self, token: &str) -> Self {
        self.token = Some(token.to_owned());
        self
    }

    /// The session token the request must carry as [`SECURITY_TOKEN`], if any.
    pub fn session_token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    pub fn host(&self) -> &str {
        &self.host
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    /// The `x-amz-date` and `Authorization` headers for a POST of `body` at `unix` seconds.
    pub fn sign(&mut self, body: &[u8], unix: i64) -> Result<Signed, String> {
        let amz_date = match &self.date {
            Some((at, d)) if *at == unix => d.clone(),
            _ => {
                let d = gatehouse_wire::Timestamp(unix).to_amz_date();
                self.date = Some((unix, d.clone()));
                d
            }
        };
        let day = amz_date.get(..8).ok_or_else(|| format!("malformed amz-date {amz_date}"))?;
        let key = match &self.key {
            Some((d, k)) if d == day => *k,
            _ => {
                let k = signing_key(&self.secret, day, &self.region, &self.service);
                self.key = Some((day.to_owned(), k));
                k
            }
        };
        let signed_headers = if self.token.is_some() { SIGNED_HEADERS_WITH_TOKEN } else { SIGNED_HEADERS };
        let prefix = format!(
            "AWS4-HMAC-SHA256 Credential={}/{day}/{}/{}/aws4_request, SignedHeaders={signed_headers}, Signature=",
            self.access_key_id, self.region, self.service
        );
        let placeholder = format!("{prefix}{PLACEHOLDER}");
        let headers = [
            ("content-type", CONTENT_TYPE),
            ("host", self.host.as_str()),
            ("x-amz-date", amz_date.as_str()),
            ("authorization", placeholder.as_str()),
            (SECURITY_TOKEN, self.token.as_deref().unwrap_or_default()),
        ];
        // The token header only when there is a token: an empty one would be signed and sent as such.
        let headers = if self.token.is_some() { &headers[..] } else { &headers[..4] };
        let req = Request::new("POST", &self.path, "", headers, body);
        let auth = parse(&req).map_err(|e| {
            let (code, _, message) = e.aws();
            format!("cannot sign: {code}: {message}")
        })?;
        let sig = signature(&auth, &req, &key, QueryToken::Signed);
        Ok(Signed { authorization: format!("{prefix}{sig}"), amz_date })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gatehouse_sigv4::{verify, verify_with_secret};

    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

    fn headers<'a>(s: &'a Signer, signed: &'a Signed) -> Vec<(&'a str, &'a str)> {
        let mut h = vec![
            ("Content-Type", CONTENT_TYPE),
            ("Host", s.host()),
            ("X-Amz-Date", signed.amz_date.as_str()),
            ("Authorization", signed.authorization.as_str()),
        ];
        h.extend(s.session_token().map(|t| ("X-Amz-Security-Token", t)));
        h
    }

    #[test]
    fn signatures_verify_with_the_servers_verifier() {
        let now = 1_767_227_400; // 2026-01-01T00:30:00Z
        for (service, body) in [
            ("iam", &b"Action=GetUser&Version=2010-05-08"[..]),
            ("sts", &b"Action=GetCallerIdentity&Version=2011-06-15"[..]),
        ] {
            let mut s = Signer::new("AKIDEXAMPLE", SECRET, "eu-west-1", service, "127.0.0.1:4566", "/");
            // Twice: the second request reuses the cached signing key and date.
            for unix in [now, now, now + 1] {
                let signed = s.sign(body, unix).expect("sign");
                let h = headers(&s, &signed);
                let req = Request::new("POST", "/", "", &h, body);
                let auth = parse(&req).expect("parse");
                auth.check(unix).expect("time window and scope");
                auth.require_service(service).expect("service");
                assert_eq!(auth.access_key_id(), "AKIDEXAMPLE");
                verify(&auth, &req, &auth.signing_key(SECRET), unix).expect("verifies");
                verify_with_secret(&auth, &req, SECRET, unix).expect("verifies with the secret");
            }
        }
    }

    #[test]
    fn temporary_credentials_sign_their_session_token() {
        let now = 1_767_227_400;
        let token = "FQoGZXIvYXdzEJr//////////wEaDM+token/with=signs";
        let body = &b"Action=GetUser&Version=2010-05-08&UserName=gatehouse-bench-user"[..];
        let mut s =
            Signer::new("ASIAEXAMPLE", SECRET, "us-east-1", "iam", "127.0.0.1:4566", "/").with_session_token(token);
        let signed = s.sign(body, now).expect("sign");
        assert!(signed.authorization.contains("SignedHeaders=content-type;host;x-amz-date;x-amz-security-token,"));
        let h = headers(&s, &signed);
        let req = Request::new("POST", "/", "", &h, body);
        let auth = parse(&req).expect("parse");
        assert_eq!(auth.session_token(), Some(token));
        verify(&auth, &req, &auth.signing_key(SECRET), now).expect("verifies");
        // The token is part of the signature: another token does not verify.
        let mut other = h.clone();
        other.retain(|(n, _)| *n != "X-Amz-Security-Token");
        other.push(("X-Amz-Security-Token", "another token"));
        let req = Request::new("POST", "/", "", &other, body);
        let auth = parse(&req).expect("parse");
        assert!(verify(&auth, &req, &auth.signing_key(SECRET), now).is_err());
    }

    #[test]
    fn a_changed_body_or_wrong_secret_does_not_verify() {
        let now = 1_767_227_400;
        let mut s = Signer::new("AKIDEXAMPLE", SECRET, "us-east-1", "iam", "localhost:8080", "/");
        let signed = s.sign(b"Action=GetUser&Version=2010-05-08", now).expect("sign");
        let h = headers(&s, &signed);
        let tampered = Request::new("POST", "/", "", &h, b"Action=GetUser&Version=2010-05-08&UserName=x");
        let auth = parse(&tampered).expect("parse");
        assert!(verify(&auth, &tampered, &auth.signing_key(SECRET), now).is_err());
        let req = Request::new("POST", "/", "", &h, b"Action=GetUser&Version=2010-05-08");
        let auth = parse(&req).expect("parse");
        assert!(verify(&auth, &req, &auth.signing_key("another secret"), now).is_err());
    }

    #[test]
    fn the_signing_key_is_cached_per_day_and_the_signature_changes_per_request() {
        let mut s = Signer::new("AKIDEXAMPLE", SECRET, "us-east-1", "iam", "localhost:8080", "/");
        let day1 = 1_767_227_400;
        let a = s.sign(b"Action=GetUser&Version=2010-05-08", day1).expect("sign");
        let b = s.sign(b"Action=GetUser&Version=2010-05-08", day1 + 1).expect("sign");
        assert_ne!(a.authorization, b.authorization);
        let k1 = s.key.as_ref().map(|(d, k)| (d.clone(), *k));
        let c = s.sign(b"Action=GetUser&Version=2010-05-08", day1 + 86_400).expect("sign");
        assert!(c.authorization.contains("/20260102/us-east-1/iam/aws4_request"), "{}", c.authorization);
        assert_ne!(k1, s.key.as_ref().map(|(d, k)| (d.clone(), *k)));
    }
}
