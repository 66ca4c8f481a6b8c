//! The three primitives the protocol signs with: HMAC-SHA256 as lowercase hex,
//! its constant-time check, and MD5 as lowercase hex. Private to the crate so
//! the RustCrypto types never leak into the public API.

use hmac::{Hmac, Mac};
use md5::{Digest, Md5};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

fn mac(secret: &str, message: &str) -> HmacSha256 {
    // HMAC is defined for keys of any length (long keys are hashed, short ones
    // padded), so `new_from_slice` cannot fail for `Hmac<Sha256>`.
    let mut mac = HmacSha256::new_from_slice(secret.as_bytes()).expect("HMAC accepts keys of any length");
    mac.update(message.as_bytes());
    mac
}

/// Lowercase hex HMAC-SHA256 of `message` keyed with `secret`.
pub(crate) fn hmac_sha256_hex(secret: &str, message: &str) -> String {
    hex::encode(mac(secret, message).finalize().into_bytes())
}

/// Whether `signature_hex` is the HMAC-SHA256 of `message` under `secret`.
///
/// The comparison is constant-time (`Mac::verify_slice`), so a caller cannot
/// learn the expected signature byte by byte from response timings.
pub(crate) fn verify_hmac_sha256_hex(secret: &str, message: &str, signature_hex: &str) -> bool {
    match hex::decode(signature_hex) {
        Ok(bytes) => mac(secret, message).verify_slice(&bytes).is_ok(),
        Err(_) => false,
    }
}

/// Lowercase hex MD5 of `bytes`.
pub(crate) fn md5_hex(bytes: &[u8]) -> String {
    hex::encode(Md5::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231_case_2() {
        assert_eq!(
            hmac_sha256_hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn verify_accepts_the_signature_and_rejects_anything_else() {
        let sig = hmac_sha256_hex("secret", "message");
        assert!(verify_hmac_sha256_hex("secret", "message", &sig));
        assert!(!verify_hmac_sha256_hex("secret", "message2", &sig));
        assert!(!verify_hmac_sha256_hex("other", "message", &sig));
        assert!(!verify_hmac_sha256_hex("secret", "message", &sig[..62]));
        assert!(!verify_hmac_sha256_hex("secret", "message", "not hex"));
        assert!(!verify_hmac_sha256_hex("secret", "message", ""));
    }

    #[test]
    fn md5_matches_rfc_1321() {
        assert_eq!(md5_hex(b""), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(md5_hex(b"abc"), "900150983cd24fb0d6963f7d28e17f72");
    }
}
