//! AEAD encryption of device secrets at rest.
//!
//! AES-256-GCM with a fresh random 96-bit nonce per value; the stored form is `nonce ‖ ciphertext`.
//! The caller binds each value to its owner and purpose through the associated data, so a
//! ciphertext copied to another row or column fails to decrypt instead of leaking.

use std::fmt;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use secrecy::zeroize::Zeroizing;
use secrecy::{ExposeSecret, SecretBox};

const NONCE_LEN: usize = 12;

/// Why a stored value could not be decrypted.
#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    #[error("the stored value is too short to hold a nonce")]
    Truncated,
    #[error("the stored value does not decrypt under this key and associated data")]
    Unauthentic,
}

/// The 32-byte key that encrypts credentials at rest. Cheap to clone; never printed.
#[derive(Clone)]
pub struct SecretsKey(Arc<SecretBox<[u8; 32]>>);

impl fmt::Debug for SecretsKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretsKey([REDACTED])")
    }
}

impl SecretsKey {
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(Arc::new(SecretBox::new(Box::new(bytes))))
    }

    /// A fresh random key.
    pub fn generate() -> Self {
        let key = Aes256Gcm::generate_key(OsRng);
        Self::from_bytes(key.into())
    }

    /// A separate key for another purpose (HMAC of `label`), so the AEAD key is never reused.
    pub fn derive(&self, label: &str) -> [u8; 32] {
        use hmac::{Hmac, Mac};
        let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(self.0.expose_secret())
            .expect("any key length");
        mac.update(label.as_bytes());
        mac.finalize().into_bytes().into()
    }

    /// Parses a key given in configuration: 64 hex characters.
    pub fn from_hex(text: &str) -> anyhow::Result<Self> {
        let bytes =
            Zeroizing::new(hex::decode(text.trim()).map_err(|_| {
                anyhow::anyhow!("the secrets key must be 64 hexadecimal characters")
            })?);
        let array: [u8; 32] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| anyhow::anyhow!("the secrets key must be 32 bytes (64 hex characters)"))?;
        Ok(Self::from_bytes(array))
    }

    /// Reads the key file, or creates it with a random key and mode 0600 on first start.
    /// The file holds the 32 raw bytes; 64 hex characters are accepted too.
    pub fn load_or_create(path: &Path) -> anyhow::Result<Self> {
        match std::fs::read(path) {
            Ok(content) => {
                let content = Zeroizing::new(content);
                warn_if_readable_by_others(path);
                if let Ok(array) = <[u8; 32]>::try_from(content.as_slice()) {
                    return Ok(Self::from_bytes(array));
                }
                let text = std::str::from_utf8(&content).map_err(|_| {
                    anyhow::anyhow!("{} does not hold a 32-byte key", path.display())
                })?;
                Self::from_hex(text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Self::create(path),
            Err(e) => Err(anyhow::anyhow!("cannot read {}: {e}", path.display())),
        }
    }

    fn create(path: &Path) -> anyhow::Result<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            create_private_dir(dir)?;
        }
        let key = Self::generate();
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options
            .open(path)
            .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", path.display()))?;
        file.write_all(key.0.expose_secret())?;
        file.sync_all()?;
        tracing::info!(path = %path.display(), "created a new secrets key file");
        Ok(key)
    }

    fn cipher(&self) -> Aes256Gcm {
        Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(self.0.expose_secret()))
    }

    /// Encrypts `plaintext`, binding it to `aad`. Returns `nonce ‖ ciphertext`.
    pub fn encrypt(&self, plaintext: &[u8], aad: &[u8]) -> Vec<u8> {
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let ciphertext = self
            .cipher()
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext,
                    aad,
                },
            )
            .expect("AES-GCM encryption of an in-memory buffer cannot fail");
        let mut out = Vec::with_capacity(NONCE_LEN + ciphertext.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ciphertext);
        out
    }

    /// Reverses [`SecretsKey::encrypt`]; fails if the key, the data or `aad` differ.
    pub fn decrypt(&self, stored: &[u8], aad: &[u8]) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        if stored.len() < NONCE_LEN {
            return Err(CryptoError::Truncated);
        }
        let (nonce, ciphertext) = stored.split_at(NONCE_LEN);
        self.cipher()
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad,
                },
            )
            .map(Zeroizing::new)
            .map_err(|_| CryptoError::Unauthentic)
    }
}

#[cfg(unix)]
fn warn_if_readable_by_others(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(meta) = std::fs::metadata(path) {
        if meta.permissions().mode() & 0o077 != 0 {
            tracing::warn!(path = %path.display(), "the secrets key file is readable by other users; chmod 600 it");
        }
    }
}

#[cfg(not(unix))]
fn warn_if_readable_by_others(_path: &Path) {}

/// Creates `dir` (and missing parents) readable by the owner only (0700 on Unix): it holds the
/// secrets key and the database. Folders that exist keep their mode.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Creates `file` empty with mode 0600 if it does not exist yet (the SQLite database: SQLite
/// gives its WAL and shared-memory files the same mode).
pub fn create_private_file(file: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(file) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encrypted_values_round_trip_and_differ_each_time() {
        let key = SecretsKey::generate();
        let a = key.encrypt(b"my api key", b"user-1\0api_key");
        let b = key.encrypt(b"my api key", b"user-1\0api_key");
        assert_ne!(a, b, "a fresh nonce per value");
        assert_eq!(
            &*key.decrypt(&a, b"user-1\0api_key").unwrap(),
            b"my api key"
        );
        assert!(!a.windows(10).any(|w| w == b"my api key"));
    }

    #[test]
    fn decryption_fails_for_another_user_or_another_key() {
        let key = SecretsKey::generate();
        let stored = key.encrypt(b"secret", b"user-1");
        assert!(matches!(
            key.decrypt(&stored, b"user-2"),
            Err(CryptoError::Unauthentic)
        ));
        let other = SecretsKey::generate();
        assert!(other.decrypt(&stored, b"user-1").is_err());
        assert!(matches!(
            key.decrypt(&stored[..5], b"user-1"),
            Err(CryptoError::Truncated)
        ));
    }

    #[test]
    fn the_key_file_is_created_with_mode_0600_and_read_back() {
        let dir = std::env::temp_dir().join(format!("opener-key-{}", uuid::Uuid::new_v4()));
        let path = dir.join("secrets.key");
        let created = SecretsKey::load_or_create(&path).unwrap();
        let loaded = SecretsKey::load_or_create(&path).unwrap();
        let stored = created.encrypt(b"x", b"aad");
        assert_eq!(&*loaded.decrypt(&stored, b"aad").unwrap(), b"x");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_key_is_never_debug_printed() {
        let key = SecretsKey::from_bytes([7; 32]);
        assert_eq!(format!("{key:?}"), "SecretsKey([REDACTED])");
    }

    #[cfg(unix)]
    #[test]
    fn the_data_folder_and_the_database_file_are_created_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let base = std::env::temp_dir().join(format!("opener-perm-{}", uuid::Uuid::new_v4()));
        let dir = base.join("data");
        create_private_dir(&dir).unwrap();
        let file = dir.join("opener.db");
        create_private_file(&file).unwrap();
        create_private_file(&file).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&file), 0o600);
        std::fs::remove_dir_all(base).unwrap();
    }
}
