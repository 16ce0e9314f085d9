//! Random secrets (session cookies, CSRF tokens, squad link and API tokens), their digests
//! for storage, and comparison in constant time.
//!
//! A secret is 256 random bits, URL-safe base64 (43 characters), optionally with a prefix
//! that says what it is (`dsl_` a squad link, `dst_` an API token) so a leaked one is easy
//! to recognise. The database keeps only `digest(secret)` (SHA-256, hex): a row that leaks
//! signs nobody in, and a lookup by digest reveals nothing about the secret's characters.

use base64::Engine as _;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Characters of a 256-bit secret in URL-safe base64 without padding.
pub const SECRET_CHARS: usize = 43;

/// A fresh 256-bit secret with `prefix`.
pub fn generate(prefix: &str) -> String {
    let bytes: [u8; 32] = rand::random();
    format!(
        "{prefix}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

/// The secret without `prefix`, if it has the shape of one (so that junk never reaches a
/// query).
pub fn parse<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let body = text.strip_prefix(prefix)?;
    (body.len() == SECRET_CHARS
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
    .then_some(text)
}

/// SHA-256 of `secret`, lower-case hex: what is stored and looked up.
pub fn digest(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `a == b` in time that depends only on the lengths.
pub fn equal(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_prefixed_unique_and_parse_back() {
        let s = generate("dsl_");
        assert!(s.starts_with("dsl_"));
        assert_eq!(s.len(), 4 + SECRET_CHARS);
        assert_eq!(parse(&s, "dsl_"), Some(s.as_str()));
        assert_eq!(parse(&s, "dst_"), None);
        assert_ne!(s, generate("dsl_"));
        assert_eq!(parse("dsl_' OR 1=1 --", "dsl_"), None);
    }

    #[test]
    fn digests_are_hex_and_comparison_is_exact() {
        let d = digest("abc");
        assert_eq!(
            d,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(equal("abc", "abc"));
        assert!(!equal("abc", "abd"));
        assert!(!equal("abc", "abcd"));
    }
}
