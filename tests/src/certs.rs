//! Certificates made at run time for the throwaway clusters: a test CA and
//! the good and bad server certificates the TLS tests need.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use secure_pg::testing::LocalCa as Ca;

/// Which certificate a TLS cluster presents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ServerCert {
    /// Signed by the test CA for `localhost`, `127.0.0.1` and `::1`.
    Valid,
    /// Valid names, but signed by a CA the client does not trust.
    OtherCa,
    /// Signed by the test CA for `db.example.com` only.
    WrongHost,
    /// Signed by the test CA, expired in 2021.
    Expired,
    /// Signed by an intermediate CA; the server sends only its leaf.
    LeafOfIntermediate,
    /// Subject CN=localhost and no subjectAltName at all.
    CommonNameOnly,
    /// Subject CN=127.0.0.1 and no subjectAltName at all.
    IpInCommonNameOnly,
    /// Valid names, signed with ECDSA P-384 / SHA-384 (rcgen) by the
    /// signature-algorithm CA ([`Certs::sigalg_ca_file`]).
    EcdsaP384Sha384,
    /// Valid names, signed with ECDSA P-384 / SHA-512 (openssl).
    EcdsaP384Sha512,
    /// Valid names, signed with RSA PKCS#1 v1.5 / SHA-512 (openssl).
    RsaSha512,
    /// Valid names, signed with RSA-PSS / SHA-256 (openssl).
    RsaPssSha256,
    /// Valid names, signed with RSA-PSS / SHA-384 (openssl).
    RsaPssSha384,
    /// Valid names, signed with RSA-PSS / SHA-512 (openssl).
    RsaPssSha512,
}

impl ServerCert {
    /// The certificates signed with a particular signature algorithm, for
    /// the channel-binding tests (RFC 5929 hashes follow the signature).
    pub const SIGNATURE_ALGORITHMS: &'static [ServerCert] = &[
        ServerCert::EcdsaP384Sha384,
        ServerCert::EcdsaP384Sha512,
        ServerCert::RsaSha512,
        ServerCert::RsaPssSha256,
        ServerCert::RsaPssSha384,
        ServerCert::RsaPssSha512,
    ];
}

/// All generated material, written once per process to a temp directory.
pub struct Certs {
    dir: PathBuf,
    ca: Ca,
    other_ca: Ca,
    intermediate: Ca,
    servers: Vec<(ServerCert, String, String)>,
    client: (String, String),
}

impl std::fmt::Debug for Certs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Certs").field("dir", &self.dir).finish()
    }
}

/// The process-wide certificates.
pub fn certs() -> &'static Certs {
    static CERTS: OnceLock<Certs> = OnceLock::new();
    CERTS.get_or_init(Certs::generate)
}

fn ca(cn: &str, issuer: Option<&Ca>) -> Ca {
    match issuer {
        None => Ca::new(cn),
        Some(i) => i.intermediate(cn),
    }
}

fn leaf(cn: &str, sans: &[&str], issuer: &Ca, expired: bool) -> (String, String) {
    if expired {
        issuer.expired_server_cert(cn, sans)
    } else {
        issuer.server_cert(cn, sans)
    }
}

impl Certs {
    fn generate() -> Certs {
        let dir = crate::temp_dir("certs");
        let ca_ = ca("secure-pg test root CA", None);
        let other = ca("some other CA", None);
        let inter = ca("secure-pg test intermediate CA", Some(&ca_));
        let local = ["localhost", "127.0.0.1", "::1"];
        let servers = vec![
            (ServerCert::Valid, leaf("localhost", &local, &ca_, false)),
            (
                ServerCert::OtherCa,
                leaf("localhost", &local, &other, false),
            ),
            (
                ServerCert::WrongHost,
                leaf("db.example.com", &["db.example.com"], &ca_, false),
            ),
            (ServerCert::Expired, leaf("localhost", &local, &ca_, true)),
            (
                ServerCert::LeafOfIntermediate,
                leaf("localhost", &local, &inter, false),
            ),
            (
                ServerCert::CommonNameOnly,
                leaf("localhost", &[], &ca_, false),
            ),
            (
                ServerCert::IpInCommonNameOnly,
                leaf("127.0.0.1", &[], &ca_, false),
            ),
        ]
        .into_iter()
        .map(|(k, (c, key))| (k, c, key))
        .collect();
        let client = leaf(crate::APP_USER, &[], &ca_, false);
        let certs = Certs {
            dir,
            ca: ca_,
            other_ca: other,
            intermediate: inter,
            servers,
            client,
        };
        certs.write_files();
        certs
    }

    fn write_files(&self) {
        let w = |name: &str, content: &str| std::fs::write(self.dir.join(name), content).unwrap();
        w("ca.pem", &self.ca.cert_pem());
        w("other-ca.pem", &self.other_ca.cert_pem());
        w(
            "root-and-intermediate.pem",
            &format!("{}{}", self.ca.cert_pem(), self.intermediate.cert_pem()),
        );
        w("intermediate-only.pem", &self.intermediate.cert_pem());
        // Like the AWS RDS global bundle: many unrelated CAs, ours in the
        // middle.
        let mut bundle = String::new();
        for i in 0..5 {
            bundle.push_str(&ca(&format!("unrelated regional CA {i}"), None).cert_pem());
            if i == 2 {
                bundle.push_str(&self.other_ca.cert_pem());
                bundle.push_str(&self.ca.cert_pem());
            }
        }
        w("multi-ca-bundle.pem", &bundle);
        w("client.pem", &self.client.0);
        w("client.key", &self.client.1);
        w("not-a-cert.pem", "this is not PEM\n");
    }

    /// The certificate chain and key PEM a server presents.
    pub fn server_pem(&self, which: &ServerCert) -> (String, String) {
        if ServerCert::SIGNATURE_ALGORITHMS.contains(which) {
            return sigalg().server_pem(*which);
        }
        let (_, c, k) = self
            .servers
            .iter()
            .find(|(w, _, _)| w == which)
            .expect("known server cert");
        (c.clone(), k.clone())
    }

    /// Writes the CA the server trusts for client certificates into `dir`.
    pub fn client_ca_file(&self, dir: &Path) -> PathBuf {
        let p = dir.join("client-ca.pem");
        std::fs::write(&p, self.ca.cert_pem()).unwrap();
        p
    }

    /// The test root CA (trusted by clients).
    pub fn ca_file(&self) -> PathBuf {
        self.dir.join("ca.pem")
    }
    /// A CA that signed nothing the tests trust.
    pub fn other_ca_file(&self) -> PathBuf {
        self.dir.join("other-ca.pem")
    }
    /// Root plus intermediate, for a server that sends only its leaf.
    pub fn root_and_intermediate_file(&self) -> PathBuf {
        self.dir.join("root-and-intermediate.pem")
    }
    /// The intermediate CA alone.
    pub fn intermediate_only_file(&self) -> PathBuf {
        self.dir.join("intermediate-only.pem")
    }
    /// Several unrelated CAs with the test CA among them.
    pub fn multi_ca_bundle_file(&self) -> PathBuf {
        self.dir.join("multi-ca-bundle.pem")
    }
    /// A file that is not PEM.
    pub fn not_a_cert_file(&self) -> PathBuf {
        self.dir.join("not-a-cert.pem")
    }
    /// A client certificate for the app role, signed by the test CA.
    pub fn client_cert_files(&self) -> (PathBuf, PathBuf) {
        (self.dir.join("client.pem"), self.dir.join("client.key"))
    }
    /// The CAs (RSA and ECDSA P-384) that signed the
    /// [`ServerCert::SIGNATURE_ALGORITHMS`] certificates, in one PEM file.
    pub fn sigalg_ca_file(&self) -> PathBuf {
        sigalg().ca_file.clone()
    }
    /// The valid server certificate and key, for test servers of our own
    /// (a TLS-terminating proxy).
    pub fn valid_server_pem(&self) -> (String, String) {
        self.server_pem(&ServerCert::Valid)
    }
}

/// Certificates signed with other signature algorithms than the test CA's
/// ECDSA P-256 / SHA-256. rcgen 0.13 (ring) makes the ECDSA P-384 / SHA-384
/// one; it cannot generate RSA keys, sign RSA-PSS with SHA-384/512 or ECDSA
/// with SHA-512, so those come from the `openssl` command line.
struct SigAlgCerts {
    ca_file: PathBuf,
    servers: Vec<(ServerCert, String, String)>,
}

impl SigAlgCerts {
    fn server_pem(&self, which: ServerCert) -> (String, String) {
        let (_, c, k) = self
            .servers
            .iter()
            .find(|(w, _, _)| *w == which)
            .expect("known signature-algorithm cert");
        (c.clone(), k.clone())
    }
}

fn sigalg() -> &'static SigAlgCerts {
    static CERTS: OnceLock<SigAlgCerts> = OnceLock::new();
    CERTS.get_or_init(generate_sigalg)
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = std::process::Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("run openssl (needed for RSA-PSS test certificates): {e}"));
    assert!(
        out.status.success(),
        "openssl {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn generate_sigalg() -> SigAlgCerts {
    let dir = crate::temp_dir("sigalg-certs");
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap();
    // rcgen: an ECDSA P-384 CA signs (with SHA-384) a P-256 leaf.
    let p384 = Ca::new_p384("secure-pg P-384 CA");
    let local = ["localhost", "127.0.0.1", "::1"];
    let (p384_leaf, p384_leaf_key) = leaf("localhost", &local, &p384, false);
    std::fs::write(dir.join("p384-ca.pem"), p384.cert_pem()).unwrap();
    std::fs::write(dir.join("p384-ca.key"), p384.key_pem()).unwrap();
    // openssl: an RSA CA, and leaves signed by it and by the P-384 CA.
    openssl(
        &dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "rsa-ca.key",
            "-out",
            "rsa-ca.pem",
            "-days",
            "3650",
            "-subj",
            "/CN=secure-pg RSA CA",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ],
    );
    std::fs::write(
        dir.join("leaf.ext"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\nbasicConstraints=CA:FALSE\n",
    )
    .unwrap();
    let make = |name: &str, key_alg: &str, ca: &str, sign: &[&str]| -> (String, String) {
        let key = format!("{name}.key");
        let csr = format!("{name}.csr");
        let pem = format!("{name}.pem");
        openssl(
            &dir,
            &[
                "req",
                "-newkey",
                key_alg,
                "-nodes",
                "-keyout",
                &key,
                "-out",
                &csr,
                "-subj",
                "/CN=localhost",
            ],
        );
        let (ca_pem, ca_key) = (format!("{ca}.pem"), format!("{ca}.key"));
        let mut args = vec![
            "x509",
            "-req",
            "-in",
            &csr,
            "-CA",
            &ca_pem,
            "-CAkey",
            &ca_key,
            "-CAcreateserial",
            "-out",
            &pem,
            "-days",
            "3650",
            "-extfile",
            "leaf.ext",
        ];
        args.extend_from_slice(sign);
        openssl(&dir, &args);
        (read(&pem), read(&key))
    };
    let pss = [
        "-sigopt",
        "rsa_padding_mode:pss",
        "-sigopt",
        "rsa_pss_saltlen:digest",
    ];
    let with = |digest: &'static str, extra: &[&'static str]| -> Vec<&'static str> {
        let mut v = vec![digest];
        v.extend_from_slice(extra);
        v
    };
    let servers = vec![
        (ServerCert::EcdsaP384Sha384, p384_leaf, p384_leaf_key),
        {
            let (c, k) = make("ecdsa-sha512", "ec:p384-ca.pem", "p384-ca", &["-sha512"]);
            (ServerCert::EcdsaP384Sha512, c, k)
        },
        {
            let (c, k) = make("rsa-sha512", "rsa:2048", "rsa-ca", &["-sha512"]);
            (ServerCert::RsaSha512, c, k)
        },
        {
            let (c, k) = make("pss-sha256", "rsa:2048", "rsa-ca", &with("-sha256", &pss));
            (ServerCert::RsaPssSha256, c, k)
        },
        {
            let (c, k) = make("pss-sha384", "rsa:2048", "rsa-ca", &with("-sha384", &pss));
            (ServerCert::RsaPssSha384, c, k)
        },
        {
            let (c, k) = make("pss-sha512", "rsa:2048", "rsa-ca", &with("-sha512", &pss));
            (ServerCert::RsaPssSha512, c, k)
        },
    ];
    let ca_file = dir.join("sigalg-ca.pem");
    std::fs::write(
        &ca_file,
        format!("{}{}", read("rsa-ca.pem"), read("p384-ca.pem")),
    )
    .unwrap();
    SigAlgCerts { ca_file, servers }
}
