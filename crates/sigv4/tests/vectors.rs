//! The AWS Signature Version 4 test suite (`shared/vectors/sigv4/`, beside the repository): every case, in header and
//! presigned-query form, must parse, reproduce the canonical request, string to sign and signature byte for byte,
//! verify at the vector's time, and fail when anything signed is touched or the clock is 16 minutes off.
//!
//! The suite is read at test time; a missing suite fails the tests rather than skipping them.
#![cfg(test)]

use std::fs;
use std::path::{Path, PathBuf};

use gatehouse_sigv4::{
    canonical_request, parse, signature, signing_key, string_to_sign, verify, verify_with_secret, Form, QueryToken,
    Request, SigError,
};

const EXPECTED_CASES: usize = 38;

fn suite_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/vectors/sigv4")
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The case directories, sorted; panics (fails the test) when the suite is not there.
fn cases() -> Vec<PathBuf> {
    let dir = suite_dir();
    let entries = fs::read_dir(&dir).unwrap_or_else(|e| {
        panic!("the SigV4 test suite is missing at {}: {e} (clone the repository beside shared/)", dir.display())
    });
    let mut cases: Vec<PathBuf> =
        entries.map(|e| e.expect("directory entry").path()).filter(|p| p.join("context.json").is_file()).collect();
    cases.sort();
    assert_eq!(cases.len(), EXPECTED_CASES, "cases found in {}", dir.display());
    cases
}

/// The few `context.json` fields the tests need (the file is flat enough for a string search).
struct Context {
    access_key_id: String,
    secret: String,
    token: Option<String>,
    region: String,
    service: String,
    normalize: bool,
    omit_session_token: bool,
    expires: u32,
    now: i64,
}

fn json_value<'a>(json: &'a str, key: &str) -> Option<&'a str> {
    let pattern = format!("\"{key}\"");
    let after = &json[json.find(&pattern)? + pattern.len()..];
    Some(after.trim_start().strip_prefix(':')?.trim_start())
}

fn json_string(json: &str, key: &str) -> Option<String> {
    let rest = json_value(json, key)?.strip_prefix('"')?;
    Some(rest[..rest.find('"')?].to_owned())
}

fn json_bool(json: &str, key: &str) -> Option<bool> {
    let rest = json_value(json, key)?;
    Some(rest.starts_with("true"))
}

fn json_u32(json: &str, key: &str) -> Option<u32> {
    let rest = json_value(json, key)?;
    rest[..rest.find(|c: char| !c.is_ascii_digit())?].parse().ok()
}

/// `2015-08-30T12:36:00Z` as unix seconds, computed here independently of the crate's own date code.
fn unix_from_rfc3339(s: &str) -> i64 {
    let field = |range: std::ops::Range<usize>| s[range].parse::<i64>().expect("timestamp digits");
    let (mut year, month, day) = (field(0..4), field(5..7), field(8..10));
    if month <= 2 {
        year -= 1;
    }
    let era = year.div_euclid(400);
    let yoe = year - era * 400;
    let doy = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + day - 1;
    let days = era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468;
    days * 86_400 + field(11..13) * 3600 + field(14..16) * 60 + field(17..19)
}

fn context(case: &Path) -> Context {
    let json = read(&case.join("context.json"));
    let get = |key| json_string(&json, key).unwrap_or_else(|| panic!("{}: no {key}", case.display()));
    Context {
        access_key_id: get("access_key_id"),
        secret: get("secret_access_key"),
        token: json_string(&json, "token"),
        region: get("region"),
        service: get("service"),
        normalize: json_bool(&json, "normalize").unwrap_or(true),
        omit_session_token: json_bool(&json, "omit_session_token").unwrap_or(false),
        expires: json_u32(&json, "expiration_in_seconds").expect("expiration_in_seconds"),
        now: unix_from_rfc3339(&get("timestamp")),
    }
}

/// A request as the suite writes it: request line, header lines (a line starting with whitespace continues the
/// previous value, kept with its line break as an obsolete folded header would arrive), a blank line, the body.
#[derive(Clone)]
struct Http {
    method: String,
    path: String,
    query: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Http {
    fn parse(text: &str) -> Self {
        let (head, body) = text.split_once("\n\n").unwrap_or((text, ""));
        let mut lines = head.split('\n');
        let request_line = lines.next().expect("request line");
        let (method, rest) = request_line.split_once(' ').expect("method");
        // The target may hold a raw space (get-space-*), so the version is split off from the end.
        let (target, _version) = rest.rsplit_once(' ').expect("version");
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let mut headers: Vec<(String, String)> = Vec::new();
        for line in lines {
            if line.starts_with([' ', '\t']) {
                let last = headers.last_mut().expect("a continuation follows a header");
                last.1.push('\n');
                last.1.push_str(line);
            } else {
                let (name, value) = line.split_once(':').expect("header line");
                headers.push((name.to_owned(), value.to_owned()));
            }
        }
        Self {
            method: method.to_owned(),
            path: path.to_owned(),
            query: query.to_owned(),
            headers,
            body: body.as_bytes().to_vec(),
        }
    }

    fn header_refs(&self) -> Vec<(&str, &str)> {
        self.headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect()
    }

    fn request<'a>(&'a self, headers: &'a [(&'a str, &'a str)], normalize: bool) -> Request<'a> {
        let mut req = Request::new(&self.method, &self.path, &self.query, headers, &self.body);
        req.normalize_path = normalize;
        req
    }

    /// Parses the credentials and verifies at `now` with the context's secret.
    fn verify_at(&self, ctx: &Context, now: i64) -> Result<(), SigError> {
        let headers = self.header_refs();
        let req = self.request(&headers, ctx.normalize);
        let auth = parse(&req)?;
        verify_with_secret(&auth, &req, &ctx.secret, now)
    }
}

const FORMS: [(&str, Form); 2] = [("header", Form::Header), ("query", Form::Query)];

/// Changes one character: the first letter or digit, to a neighbour of the same kind.
fn flip_first_alphanumeric(s: &str) -> String {
    let mut flipped = false;
    s.chars()
        .map(|c| {
            if flipped || !c.is_ascii_alphanumeric() {
                return c;
            }
            flipped = true;
            match c {
                'z' => 'y',
                'Z' => 'Y',
                '9' => '8',
                _ => char::from(c as u8 + 1),
            }
        })
        .collect()
}

fn name(case: &Path) -> String {
    case.file_name().expect("case name").to_string_lossy().into_owned()
}

/// Runs `check` on every case and form; collects every failure so one run reports them all.
fn for_each_case_and_form(mut check: impl FnMut(&str, &Context, Form, &Http, &Path) -> Vec<String>) {
    let mut failures = Vec::new();
    let mut checked = 0;
    for case in cases() {
        let ctx = context(&case);
        for (prefix, form) in FORMS {
            let http = Http::parse(&read(&case.join(format!("{prefix}-signed-request.txt"))));
            let label = format!("{}/{prefix}", name(&case));
            failures.extend(check(&label, &ctx, form, &http, &case).into_iter().map(|f| format!("{label}: {f}")));
            checked += 1;
        }
    }
    assert_eq!(checked, EXPECTED_CASES * 2);
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn every_vector_reproduces_and_verifies() {
    for_each_case_and_form(|_, ctx, form, http, case| {
        let prefix = if form == Form::Header { "header" } else { "query" };
        let expected = |what: &str| read(&case.join(format!("{prefix}-{what}.txt")));
        let mut failures = Vec::new();
        let headers = http.header_refs();
        let req = http.request(&headers, ctx.normalize);
        let auth = match parse(&req) {
            Ok(auth) => auth,
            Err(e) => return vec![format!("parse: {e}")],
        };
        let mut field = |what: &str, ok: bool, got: String| {
            if !ok {
                failures.push(format!("{what}: got {got}"));
            }
        };
        field("form", auth.form() == form, format!("{:?}", auth.form()));
        field("access key", auth.access_key_id() == ctx.access_key_id, auth.access_key_id().to_owned());
        field("scope date", auth.scope_date() == "20150830", auth.scope_date().to_owned());
        field("region", auth.region() == ctx.region, auth.region().to_owned());
        field("service", auth.service() == ctx.service, auth.service().to_owned());
        field("timestamp", auth.timestamp() == ctx.now, auth.timestamp().to_string());
        field("amz date", auth.amz_date() == "20150830T123600Z", auth.amz_date().to_owned());
        field("token", auth.session_token() == ctx.token.as_deref(), format!("{:?}", auth.session_token()));
        let expires = (form == Form::Query).then_some(ctx.expires);
        field("expires", auth.expires() == expires, format!("{:?}", auth.expires()));
        let signed = auth.signed_headers().collect::<Vec<_>>().join(";");
        field("signed headers", signed.contains("host"), signed);

        // The suite's post-sts-header-after presigns with the token appended after signing.
        let token =
            if form == Form::Query && ctx.omit_session_token { QueryToken::Unsigned } else { QueryToken::Signed };
        let key = signing_key(&ctx.secret, auth.scope_date(), auth.region(), auth.service());
        for (what, got) in [
            ("canonical-request", canonical_request(&auth, &req, token)),
            ("string-to-sign", string_to_sign(&auth, &req, token)),
            ("signature", signature(&auth, &req, &key, token)),
        ] {
            let want = expected(what);
            if got != want {
                failures.push(format!("{what} differs:\n--- expected\n{want}\n--- got\n{got}\n---"));
            }
        }
        if auth.signature() != expected("signature") {
            failures.push(format!("signature sent {} is not the vector's", auth.signature()));
        }
        if let Err(e) = verify(&auth, &req, &key, ctx.now) {
            failures.push(format!("verify: {e}"));
        }
        if let Err(e) = verify_with_secret(&auth, &req, &ctx.secret, ctx.now) {
            failures.push(format!("verify_with_secret: {e}"));
        }
        if let Err(e) = auth.require_service(&ctx.service) {
            failures.push(format!("require_service: {e}"));
        }
        failures
    });
}

#[test]
fn touching_anything_signed_fails() {
    let mismatch = Err(SigError::SignatureDoesNotMatch(gatehouse_sigv4::MSG_SIGNATURE_DOES_NOT_MATCH.into()));
    for_each_case_and_form(|_, ctx, form, http, _| {
        let mut failures = Vec::new();
        let mismatch_fault = |what: String, tampered: &Http| {
            let got = tampered.verify_at(ctx, ctx.now);
            (got != mismatch).then(|| format!("{what}: got {got:?}"))
        };

        // One character of the signature.
        let headers = http.header_refs();
        let req = http.request(&headers, ctx.normalize);
        let sent = parse(&req).map(|a| a.signature().to_owned()).unwrap_or_default();
        let mut tampered = http.clone();
        let flipped = flip_first_alphanumeric(&sent);
        if form == Form::Header {
            for (name, value) in &mut tampered.headers {
                if name.eq_ignore_ascii_case("authorization") {
                    *value = value.replace(&sent, &flipped);
                }
            }
        } else {
            tampered.query = tampered.query.replace(&sent, &flipped);
        }
        failures.extend(mismatch_fault(format!("signature {sent} -> {flipped}"), &tampered));

        // One character of each signed header's (first) value. X-Amz-Date changes in its seconds, so that the
        // request stays inside the time window and its scope date: only the signature can catch it.
        let signed: Vec<String> =
            parse(&req).map(|a| a.signed_headers().map(str::to_ascii_lowercase).collect()).unwrap_or_default();
        for name in &signed {
            let mut tampered = http.clone();
            let Some(header) = tampered.headers.iter_mut().find(|(n, _)| n.eq_ignore_ascii_case(name)) else {
                failures.push(format!("signed header {name} not in the request"));
                continue;
            };
            header.1 = if name == "x-amz-date" {
                header.1.replace("T123600Z", "T123601Z")
            } else {
                flip_first_alphanumeric(&header.1)
            };
            failures.extend(mismatch_fault(format!("header {name}: {}", header.1), &tampered));
        }

        // One character of the body, or one byte added to an empty one.
        let mut tampered = http.clone();
        match tampered.body.first_mut() {
            Some(b) => *b ^= 0x01,
            None => tampered.body.push(b'x'),
        }
        failures.extend(mismatch_fault("body".to_owned(), &tampered));

        // A query parameter added to a header-signed request, or one of a presigned URL's signed parameters.
        let mut tampered = http.clone();
        if form == Form::Header {
            tampered.query.push_str(if tampered.query.is_empty() { "Extra=1" } else { "&Extra=1" });
        } else {
            tampered.query = tampered.query.replace("X-Amz-Expires=3600", "X-Amz-Expires=3599");
        }
        failures.extend(mismatch_fault(format!("query {}", tampered.query), &tampered));
        failures
    });
}

#[test]
fn sixteen_minutes_off_is_refused_with_aws_texts() {
    let expired =
        "Signature expired: 20150830T123600Z is now earlier than 20150830T123700Z (20150830T125200Z - 15 min.)";
    let not_yet =
        "Signature not yet current: 20150830T123600Z is still later than 20150830T123500Z (20150830T122000Z + 15 min.)";
    for_each_case_and_form(|_, ctx, _, http, _| {
        let mut failures = Vec::new();
        for (offset, text) in [(16 * 60, expired), (-16 * 60, not_yet)] {
            let got = http.verify_at(ctx, ctx.now + offset);
            if got != Err(SigError::SignatureDoesNotMatch(text.into())) {
                failures.push(format!("now {offset:+}s: got {got:?}"));
            }
        }
        // The edges of the window are inside it.
        for offset in [15 * 60, -15 * 60] {
            if let Err(e) = http.verify_at(ctx, ctx.now + offset) {
                failures.push(format!("now {offset:+}s: {e}"));
            }
        }
        failures
    });
}
