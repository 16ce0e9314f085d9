//! Password hashing with argon2id (the crate's defaults: 19 MiB, 2 passes, 1 lane — OWASP's
//! recommendation). Hashes are PHC strings, so parameters can be raised later without
//! invalidating old hashes.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

/// Shortest password accepted for a new account.
pub const PASSWORD_MIN_CHARS: usize = 10;
/// Longest password accepted (argon2 takes any length; this bounds the work per request).
pub const PASSWORD_MAX_CHARS: usize = 256;

/// Why a password cannot be set or checked.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PasswordError {
    #[error("the password must have at least {PASSWORD_MIN_CHARS} characters")]
    TooShort,
    #[error("the password must have at most {PASSWORD_MAX_CHARS} characters")]
    TooLong,
    #[error("cannot hash the password: {0}")]
    Hash(String),
}

/// Checks the policy for a new password.
pub fn check_policy(password: &str) -> Result<(), PasswordError> {
    let n = password.chars().count();
    if n < PASSWORD_MIN_CHARS {
        Err(PasswordError::TooShort)
    } else if n > PASSWORD_MAX_CHARS {
        Err(PasswordError::TooLong)
    } else {
        Ok(())
    }
}

/// An argon2id PHC string for `password`, with a fresh random salt.
pub fn hash(password: &str) -> Result<String, PasswordError> {
    use rand::RngCore as _;
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| PasswordError::Hash(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| PasswordError::Hash(e.to_string()))
}

/// True when `password` matches `phc`. A malformed stored hash never matches. Takes the same
/// time for a wrong password as for a right one.
pub fn verify(password: &str, phc: &str) -> bool {
    if password.chars().count() > PASSWORD_MAX_CHARS {
        return false;
    }
    match PasswordHash::new(phc) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// A valid hash of no one's password: verified against when the username does not exist, so
/// that an unknown name takes as long to refuse as a wrong password (no user enumeration by
/// timing).
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        hash("doorstep: no such account").unwrap_or_else(|_| String::from("$argon2id$invalid"))
    });
    &DUMMY
}

/// A random password for accounts created without one: 16 characters from an alphabet
/// without look-alikes (0/O, 1/l/I), about 90 bits.
pub fn generate() -> String {
    use rand::Rng as _;
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..16)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let h = hash("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("correct horse battery", &h));
        assert!(!verify("correct horse batterY", &h));
        assert!(!verify("", &h));
        assert!(!verify("correct horse battery", "not a hash"));
        assert_ne!(h, hash("correct horse battery").unwrap(), "salted");
    }

    #[test]
    fn the_policy_bounds_length() {
        assert_eq!(check_policy("short"), Err(PasswordError::TooShort));
        assert_eq!(check_policy(&"x".repeat(300)), Err(PasswordError::TooLong));
        assert!(check_policy("long enough pass").is_ok());
        let g = generate();
        assert_eq!(g.len(), 16);
        assert!(check_policy(&g).is_ok());
        assert!(!verify(&g, dummy_hash()));
    }
}
