//! Certificates made on the spot, for a local server that clients reach
//! with `verify-full`.

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
