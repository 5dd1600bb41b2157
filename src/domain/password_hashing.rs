//! Console passwords at rest: argon2id (DESIGN.md: "Passwords are argon2id, hashed off the async runtime"), kept as
//! PHC strings (`$argon2id$v=19$m=19456,t=2,p=1$SALT$HASH`). The string records the algorithm, version, parameters
//! and salt of each hash, and verification reads them back from it, so the parameters can be raised for new
//! passwords without invalidating the ones already stored.
//!
//! Hashing is deliberately slow (tens of milliseconds, 19 MiB): it runs on tokio's blocking pool, never on a
//! runtime worker, so that one ChangePassword cannot stall every other request on that worker.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use gatehouse_wire::AwsError;

use crate::ids::Randomness;
use crate::secret::Secret;

/// The parameters of new hashes: the argon2 crate's defaults, which are OWASP's first recommendation for argon2id
/// (m = 19 MiB, t = 2, p = 1).
fn hasher() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::DEFAULT)
}

/// Bytes of salt per hash (the PHC string format recommends 16).
const SALT_LEN: usize = 16;

/// A fresh salt from the server's randomness (injected, so tests control it like every other random value).
pub fn salt(rng: &dyn Randomness) -> [u8; SALT_LEN] {
    let mut bytes = [0u8; SALT_LEN];
    rng.fill(&mut bytes);
    bytes
}

fn failure(what: &str, e: impl std::fmt::Display) -> AwsError {
    // The error names the step, never the password.
    tracing::error!(error = %e, "password {what} failed");
    gatehouse_wire::iam::errors::service_failure("Service failure.")
}

fn hash_now(password: &Secret, salt: &[u8]) -> Result<String, AwsError> {
    let salt = SaltString::encode_b64(salt).map_err(|e| failure("salting", e))?;
    let hash = hasher().hash_password(password.expose().as_bytes(), &salt).map_err(|e| failure("hashing", e))?;
    Ok(hash.to_string())
}

/// Whether `password` is the one `phc` was made from, with the parameters the string records. A string that is
/// not a usable PHC hash matches nothing.
fn matches_now(password: &Secret, phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        tracing::error!("a stored password hash is not a PHC string; it matches no password");
        return false;
    };
    // `Argon2::verify_password` takes algorithm, version and parameters from the parsed hash, not from `hasher()`.
    hasher().verify_password(password.expose().as_bytes(), &parsed).is_ok()
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, AwsError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| failure("task", e))
}

/// The PHC string of `password` with `salt`, computed on the blocking pool.
pub async fn hash(password: Secret, salt: [u8; SALT_LEN]) -> Result<String, AwsError> {
    blocking(move || hash_now(&password, &salt)).await?
}

/// Whether `password` matches any of `hashes`, checked on the blocking pool (reuse prevention checks up to 24).
pub async fn matches_any(password: Secret, hashes: Vec<String>) -> Result<bool, AwsError> {
    blocking(move || hashes.iter().any(|h| matches_now(&password, h))).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_is_argon2id_and_verifies_only_its_password() {
        let phc = hash_now(&Secret::from("Correct-Horse-1"), &[7u8; SALT_LEN]).unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(!phc.contains("Correct-Horse-1"));
        assert!(matches_now(&Secret::from("Correct-Horse-1"), &phc));
        assert!(!matches_now(&Secret::from("Correct-Horse-2"), &phc));
        assert!(!matches_now(&Secret::from("Correct-Horse-1"), "not a hash"));
    }

    /// Verification reads the parameters from the stored string: a hash made with other (cheaper) parameters
    /// still verifies after the defaults change.
    #[test]
    fn verification_uses_the_stored_parameters() {
        let cheap = Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(8, 1, 1, None).unwrap());
        let salt = SaltString::encode_b64(&[1u8; SALT_LEN]).unwrap();
        let phc = cheap.hash_password(b"pa55word!", &salt).unwrap().to_string();
        assert!(phc.contains("m=8,t=1,p=1"), "{phc}");
        assert!(matches_now(&Secret::from("pa55word!"), &phc));
        assert!(!matches_now(&Secret::from("pa55word?"), &phc));
    }
}
