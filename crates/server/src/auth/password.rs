//! Password hashing: Argon2id (RustCrypto `argon2`), stored as PHC strings
//! that carry their own parameters and salt, so the cost can be raised later
//! without invalidating existing hashes.
//!
//! The cost here is deliberately low (4 MiB, 2 passes): this is a demo server
//! whose tests sign in often. A production deployment would use at least
//! OWASP's 19 MiB / 2 passes.

use std::sync::OnceLock;

use argon2::{
    Algorithm, Argon2, Params, Version,
    password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
};

use crate::error::{Error, Result};

const MEMORY_KIB: u32 = 4 * 1024;
const PASSES: u32 = 2;

fn hasher() -> Argon2<'static> {
    // The constants are within Argon2's bounds, so `Params::new` cannot fail;
    // fall back to the library defaults rather than panic if that ever changes.
    let params = Params::new(MEMORY_KIB, PASSES, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// A PHC string for `password` with a fresh random salt.
pub fn hash(password: &str) -> Result<String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(Error::Random)?;
    let salt = SaltString::encode_b64(&salt).map_err(Error::Password)?;
    Ok(hasher().hash_password(password.as_bytes(), &salt).map_err(Error::Password)?.to_string())
}

/// Whether `password` matches the stored PHC string. A wrong password is
/// `Ok(false)`; an unreadable stored hash is an error.
pub fn verify(password: &str, stored: &str) -> Result<bool> {
    let parsed = PasswordHash::new(stored).map_err(Error::Password)?;
    match hasher().verify_password(password.as_bytes(), &parsed) {
        Ok(()) => Ok(true),
        Err(argon2::password_hash::Error::Password) => Ok(false),
        Err(other) => Err(Error::Password(other)),
    }
}

/// Spends the same time as checking a real password, for an e-mail address
/// nobody has, so response times do not reveal which addresses exist.
pub fn verify_nobody(password: &str) {
    static DUMMY: OnceLock<Option<String>> = OnceLock::new();
    if let Some(dummy) = DUMMY.get_or_init(|| hash("not a real password").ok()) {
        let _ = verify(password, dummy);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let stored = hash("budtags").unwrap();
        assert!(stored.starts_with("$argon2id$"), "{stored}");
        assert!(verify("budtags", &stored).unwrap());
        assert!(!verify("BudTags", &stored).unwrap());
        assert!(!verify("", &stored).unwrap());
    }

    #[test]
    fn salts_differ_between_hashes() {
        assert_ne!(hash("same").unwrap(), hash("same").unwrap());
    }

    #[test]
    fn an_unreadable_stored_hash_is_an_error_not_a_match() {
        assert!(verify("budtags", "plain text").is_err());
    }
}
