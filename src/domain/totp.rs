//! Virtual MFA as AWS's authenticator apps speak it: RFC 6238 TOTP (HMAC-SHA1, 6 digits, 30-second steps,
//! through `totp-rs`) over a 40-byte seed shown as 64 Base32 characters, the `otpauth://` URI an app scans, and
//! that URI as a QR-code PNG (`qrcode` for the symbol, `png` for the file). Pure: the time step is a parameter.

use subtle::ConstantTimeEq as _;
use totp_rs::{Algorithm, TOTP};

/// AWS's seeds are 64 Base32 characters: 40 bytes.
pub const SEED_BYTES: usize = 40;
/// Seconds per TOTP step.
pub const STEP_SECS: i64 = 30;

/// The time step of `now_ms`.
pub fn step_of(now_ms: i64) -> i64 {
    now_ms.div_euclid(1000).div_euclid(STEP_SECS)
}

/// The seed as Base32 (RFC 4648, no padding), what an app is given to type in.
pub fn base32(seed: &[u8]) -> String {
    data_encoding::BASE32_NOPAD.encode(seed)
}

/// The 6-digit code of `seed` at time step `step`.
pub fn code_at(seed: &[u8], step: i64) -> String {
    let totp = TOTP::new_unchecked(Algorithm::SHA1, 6, 0, STEP_SECS as u64, seed.to_vec());
    totp.generate(u64::try_from(step.max(0)).unwrap_or(0) * STEP_SECS as u64)
}

fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// The step in `steps` (in order) at which `code` is the seed's code, if any. Every candidate is computed and
/// compared in constant time, so the answer's timing says nothing about which step matched.
pub fn find(seed: &[u8], code: &str, steps: std::ops::RangeInclusive<i64>) -> Option<i64> {
    let mut found = None;
    for s in steps {
        if same(&code_at(seed, s), code) && found.is_none() {
            found = Some(s);
        }
    }
    found
}

/// The step of the second of two consecutive codes (`code1` at a step in `first_steps`, `code2` at the next), as
/// EnableMFADevice and ResyncMFADevice require them.
pub fn find_consecutive(
    seed: &[u8],
    code1: &str,
    code2: &str,
    first_steps: std::ops::RangeInclusive<i64>,
) -> Option<i64> {
    let mut found = None;
    for s in first_steps {
        let pair = same(&code_at(seed, s), code1) & same(&code_at(seed, s + 1), code2);
        if pair && found.is_none() {
            found = Some(s + 1);
        }
    }
    found
}

fn uri_escape(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// The Key URI an authenticator app scans: `otpauth://totp/Gatehouse:NAME@ACCOUNT?secret=...&issuer=Gatehouse`
/// (the label and issuer say Gatehouse, so that the app's entry is not mistaken for an AWS account's).
pub fn otpauth_uri(device_name: &str, account: &str, seed: &[u8]) -> String {
    format!(
        "otpauth://totp/Gatehouse:{}%40{}?secret={}&issuer=Gatehouse&algorithm=SHA1&digits=6&period=30",
        uri_escape(device_name),
        uri_escape(account),
        base32(seed)
    )
}

/// `text` as a QR code in a grayscale PNG: 6 pixels a module, with the 4-module quiet zone the standard asks for.
pub fn qr_png(text: &str) -> Result<Vec<u8>, String> {
    const SCALE: usize = 6;
    const QUIET: usize = 4;
    let code = qrcode::QrCode::new(text.as_bytes()).map_err(|e| e.to_string())?;
    let modules = code.width();
    let colors = code.to_colors();
    let side = (modules + 2 * QUIET) * SCALE;
    let mut pixels = vec![255u8; side * side];
    for (i, color) in colors.iter().enumerate() {
        if *color != qrcode::Color::Dark {
            continue;
        }
        let (mx, my) = (i % modules + QUIET, i / modules + QUIET);
        for y in my * SCALE..(my + 1) * SCALE {
            pixels[y * side + mx * SCALE..y * side + (mx + 1) * SCALE].fill(0);
        }
    }
    let mut out = Vec::new();
    {
        let side32 = u32::try_from(side).map_err(|e| e.to_string())?;
        let mut encoder = png::Encoder::new(&mut out, side32, side32);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(|e| e.to_string())?;
        writer.write_image_data(&pixels).map_err(|e| e.to_string())?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238's SHA-1 vectors (the 8-digit codes' last 6 digits), seed "12345678901234567890".
    #[test]
    fn rfc_6238_vectors() {
        let seed = b"12345678901234567890";
        for (secs, code) in
            [(59, "287082"), (1_111_111_109, "081804"), (1_234_567_890, "005924"), (2_000_000_000, "279037")]
        {
            assert_eq!(code_at(seed, secs / STEP_SECS), code, "{secs}");
        }
    }

    #[test]
    fn finds_steps_and_consecutive_pairs() {
        let seed = [7u8; SEED_BYTES];
        let now = 1_000_000;
        assert_eq!(find(&seed, &code_at(&seed, now - 1), now - 1..=now + 1), Some(now - 1));
        assert_eq!(find(&seed, &code_at(&seed, now - 5), now - 1..=now + 1), None);
        let (c1, c2) = (code_at(&seed, now - 3), code_at(&seed, now - 2));
        assert_eq!(find_consecutive(&seed, &c1, &c2, now - 10..=now), Some(now - 2));
        assert_eq!(find_consecutive(&seed, &c2, &c1, now - 10..=now), None);
    }

    #[test]
    fn seeds_uris_and_qr_codes() {
        let seed = [0xA5u8; SEED_BYTES];
        assert_eq!(base32(&seed).len(), 64);
        let uri = otpauth_uri("alice phone", "123456789012", &seed);
        assert!(uri.starts_with("otpauth://totp/Gatehouse:alice%20phone%40123456789012?secret="), "{uri}");
        let png = qr_png(&uri).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    }
}
