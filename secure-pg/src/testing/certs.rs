//! Certificates made on the spot, for a local server that clients reach
//! with `verify-full`.

use std::path::{Path, PathBuf};

use rcgen::{
    date_time_ymd, BasicConstraints, Certificate, CertificateParams, DnType, IsCa, KeyPair,
    KeyUsagePurpose,
};

/// A certificate authority made on the spot (its key never leaves this
/// process), valid from 2020 to 2060.
pub struct LocalCa {
    cert: Certificate,
    key: KeyPair,
}

impl std::fmt::Debug for LocalCa {
    /// Shows no key material.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalCa").finish_non_exhaustive()
    }
}

impl LocalCa {
    /// A self-signed root named `common_name`.
    pub fn new(common_name: &str) -> LocalCa {
        LocalCa::make(common_name, None)
    }

    /// A self-signed root named `common_name` whose key is ECDSA P-384
    /// (signing with SHA-384), for tests of signature algorithms.
    pub fn new_p384(common_name: &str) -> LocalCa {
        let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384).expect("generate a key");
        LocalCa::with_key(common_name, key, None)
    }

    /// An intermediate CA named `common_name`, signed by this one.
    pub fn intermediate(&self, common_name: &str) -> LocalCa {
        LocalCa::make(common_name, Some(self))
    }

    fn make(common_name: &str, issuer: Option<&LocalCa>) -> LocalCa {
        let key = KeyPair::generate().expect("generate a key");
        LocalCa::with_key(common_name, key, issuer)
    }

    fn with_key(common_name: &str, key: KeyPair, issuer: Option<&LocalCa>) -> LocalCa {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("no names");
        params
            .distinguished_name
            .push(DnType::CommonName, common_name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        params.not_before = date_time_ymd(2020, 1, 1);
        params.not_after = date_time_ymd(2060, 1, 1);
        let cert = match issuer {
            None => params.self_signed(&key),
            Some(i) => params.signed_by(&key, &i.cert, &i.key),
        }
        .expect("sign the CA certificate");
        LocalCa { cert, key }
    }

    /// The CA certificate, PEM (what `sslrootcert` names).
    pub fn cert_pem(&self) -> String {
        self.cert.pem()
    }

    /// The CA's private key, PEM, for tools that sign with it (a test
    /// that makes certificates with `openssl`). Keep it in the test.
    pub fn key_pem(&self) -> String {
        self.key.serialize_pem()
    }

    /// A server certificate for `sans` (DNS names or IP addresses; none
    /// for one with only a common name), valid from 2020 to 2060: its
    /// PEM and its key's PEM.
    pub fn server_cert(&self, common_name: &str, sans: &[&str]) -> (String, String) {
        self.leaf(common_name, sans, (2020, 2060))
    }

    /// [`LocalCa::server_cert`] valid only from 2019 to 2021: expired.
    pub fn expired_server_cert(&self, common_name: &str, sans: &[&str]) -> (String, String) {
        self.leaf(common_name, sans, (2019, 2021))
    }

    fn leaf(&self, common_name: &str, sans: &[&str], (from, to): (i32, i32)) -> (String, String) {
        let names: Vec<String> = sans.iter().map(|s| s.to_string()).collect();
        let mut params = CertificateParams::new(names).expect("valid names");
        params
            .distinguished_name
            .push(DnType::CommonName, common_name);
        params.not_before = date_time_ymd(from, 1, 1);
        params.not_after = date_time_ymd(to, 1, 1);
        let key = KeyPair::generate().expect("generate a key");
        let cert = params
            .signed_by(&key, &self.cert, &self.key)
            .expect("sign the certificate");
        (cert.pem(), key.serialize_pem())
    }
}

/// The files [`write_server_tls`] made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerTlsFiles {
    /// The CA's certificate: the client's `sslrootcert`.
    pub root_cert: PathBuf,
    /// The server's certificate: the server's `ssl_cert_file`.
    pub server_cert: PathBuf,
    /// The server's key, readable by its owner alone (PostgreSQL refuses a
    /// key others may read): the server's `ssl_key_file`.
    pub server_key: PathBuf,
}

impl ServerTlsFiles {
    /// The lines to add to the server's `postgresql.conf`.
    pub fn postgresql_conf(&self) -> String {
        format!(
            "ssl = on\nssl_cert_file = '{}'\nssl_key_file = '{}'\n",
            self.server_cert.display(),
            self.server_key.display()
        )
    }
}

/// Local TLS in one step, so `verify-full` works against a development
/// server: makes a CA on the spot and a server certificate for `hosts`
/// (DNS names or IP addresses, the first its common name), and writes
/// `root.crt`, `server.crt` and `server.key` (mode 0600) into `dir`, made if
/// missing. The CA's key is not kept: nothing else can ever be signed with
/// it. Clients then connect with `sslmode=verify-full&sslrootcert=<dir>/root.crt`
/// to one of `hosts`. `cargo run -p secure-pg --features testing --example
/// local_tls -- <dir> [hosts...]` does the same from the shell.
pub fn write_server_tls(dir: &Path, hosts: &[&str]) -> std::io::Result<ServerTlsFiles> {
    let first = hosts.first().copied().unwrap_or("localhost");
    let ca = LocalCa::new("secure-pg local development CA");
    let (cert, key) = ca.server_cert(first, hosts);
    std::fs::create_dir_all(dir)?;
    let files = ServerTlsFiles {
        root_cert: dir.join("root.crt"),
        server_cert: dir.join("server.crt"),
        server_key: dir.join("server.key"),
    };
    std::fs::write(&files.root_cert, ca.cert_pem())?;
    std::fs::write(&files.server_cert, cert)?;
    write_owner_only(&files.server_key, key.as_bytes())?;
    Ok(files)
}

#[cfg(unix)]
fn write_owner_only(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt;
    let _ = std::fs::remove_file(path);
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?
        .write_all(bytes)
}

#[cfg(not(unix))]
fn write_owner_only(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_tls_files_are_written_with_the_key_private() {
        let dir = std::env::temp_dir().join(format!("secure-pg-tls-{}", std::process::id()));
        let files = write_server_tls(&dir, &["localhost", "127.0.0.1"]).unwrap();
        for f in [&files.root_cert, &files.server_cert, &files.server_key] {
            let text = std::fs::read_to_string(f).unwrap();
            assert!(text.starts_with("-----BEGIN "), "{}", f.display());
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&files.server_key)
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(files.postgresql_conf().contains("ssl = on"));
        // Written again over the old files, with a new CA.
        let old = std::fs::read_to_string(&files.root_cert).unwrap();
        write_server_tls(&dir, &["localhost"]).unwrap();
        assert_ne!(std::fs::read_to_string(&files.root_cert).unwrap(), old);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
