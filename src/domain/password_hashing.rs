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

/// The argon2 work for one password, done before an operation's write transaction begins, so that the transaction
/// (on SQLite the store's one writer, on Postgres the account's revision row) is not held for it: a hash or a
/// verification is tens of milliseconds, and a reuse check is up to 25 of them. Both kinds of result are pure: whether
/// a password matches a stored hash is the same whenever it is asked, and a new salted hash of the password is as
/// good stored later. So the transaction reads the state again and decides exactly as without this; it only takes
/// the answers found here and computes the ones the state, changed in between, asks for besides.
pub struct Ahead {
    password: Secret,
    verdicts: Vec<(String, bool)>,
    hash: Option<String>,
}

impl Ahead {
    /// Nothing worked out yet: everything is computed when asked.
    pub fn none(password: &Secret) -> Ahead {
        Ahead { password: password.clone(), verdicts: Vec::new(), hash: None }
    }

    /// Checks `password` against `hashes` in order, up to the first that matches, and then, if none did and a salt
    /// is given, hashes it; on the blocking pool.
    pub async fn work_out(
        password: &Secret,
        hashes: Vec<String>,
        salt: Option<[u8; SALT_LEN]>,
    ) -> Result<Ahead, AwsError> {
        let password = password.clone();
        blocking(move || {
            let mut verdicts = Vec::with_capacity(hashes.len());
            for stored in hashes {
                let matched = matches_now(&password, &stored);
                verdicts.push((stored, matched));
                if matched {
                    return Ok(Ahead { password, verdicts, hash: None });
                }
            }
            let hash = salt.map(|salt| hash_now(&password, &salt)).transpose()?;
            Ok(Ahead { password, verdicts, hash })
        })
        .await?
    }

    pub fn password(&self) -> &Secret {
        &self.password
    }

    fn verdict(&self, stored: &str) -> Option<bool> {
        self.verdicts.iter().find(|(h, _)| h == stored).map(|(_, matched)| *matched)
    }

    /// [`matches_any`] for this password: the verdicts found ahead, and the others computed now.
    pub async fn matches_any(&self, hashes: Vec<String>) -> Result<bool, AwsError> {
        if hashes.iter().any(|h| self.verdict(h) == Some(true)) {
            return Ok(true);
        }
        let unknown: Vec<String> = hashes.into_iter().filter(|h| self.verdict(h).is_none()).collect();
        if unknown.is_empty() {
            return Ok(false);
        }
        matches_any(self.password.clone(), unknown).await
    }

    /// The hash made ahead, or one made now with `salt`.
    pub async fn hash(&mut self, salt: [u8; SALT_LEN]) -> Result<String, AwsError> {
        match self.hash.take() {
            Some(hash) => Ok(hash),
            None => hash(self.password.clone(), salt).await,
        }
    }
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

    /// What was worked out ahead answers without being computed again (a verdict here that real verification would
    /// not give proves it came from the memo); what was not is computed; the hash made ahead is used once.
    #[tokio::test]
    async fn ahead_answers_what_it_worked_out_and_computes_the_rest() {
        let password = Secret::from("Correct-Horse-1");
        let real = hash_now(&password, &[3u8; SALT_LEN]).unwrap();
        let other = hash_now(&Secret::from("Other-Horse-2"), &[4u8; SALT_LEN]).unwrap();

        let worked = Ahead::work_out(&password, vec![other.clone(), real.clone(), "later".into()], Some([5; SALT_LEN]));
        let mut worked = worked.await.unwrap();
        // Stopped at the first match, and made no hash since the password is reused.
        assert_eq!(worked.verdicts, [(other.clone(), false), (real.clone(), true)]);
        assert!(worked.hash.is_none());
        assert!(worked.matches_any(vec![real.clone()]).await.unwrap());
        assert!(!worked.matches_any(vec![other.clone()]).await.unwrap());
        let fresh = worked.hash([6; SALT_LEN]).await.unwrap();
        assert!(matches_now(&password, &fresh));

        let mut memo = Ahead {
            password: password.clone(),
            verdicts: vec![("not a hash".into(), true)],
            hash: Some("made ahead".into()),
        };
        assert!(memo.matches_any(vec!["not a hash".into()]).await.unwrap());
        assert!(memo.matches_any(vec![other.clone(), real]).await.unwrap());
        assert!(!memo.matches_any(vec![other]).await.unwrap());
        assert_eq!(memo.hash([1; SALT_LEN]).await.unwrap(), "made ahead");
        assert!(matches_now(&password, &memo.hash([1; SALT_LEN]).await.unwrap()));

        let nothing = Ahead::none(&password);
        assert!(!nothing.matches_any(vec![]).await.unwrap());
    }
}
