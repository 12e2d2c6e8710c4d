//! A real PgBouncer (Debian's `pgbouncer` package) in transaction pooling
//! mode on loopback, in front of a throwaway cluster: TLS from the client to
//! PgBouncer, and TLS (or, for one test, plaintext) from PgBouncer to
//! PostgreSQL.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::{certs, free_port, temp_dir, Cluster, APP_DB, APP_PASSWORD, APP_USER};

pub(crate) const INSTALL_HINT: &str =
    "pgbouncer was not found. Install everything the tests need with \
`apt-get install -y postgresql pgbouncer` on Debian/Ubuntu (macOS: `brew install postgresql \
pgbouncer`), or put pgbouncer on PATH. The PgBouncer tests never skip.";

fn binary() -> PathBuf {
    for dir in ["/usr/sbin", "/usr/bin", "/usr/local/bin", "/usr/local/sbin"] {
        let p = PathBuf::from(dir).join("pgbouncer");
        if p.is_file() {
            return p;
        }
    }
    if let Some(path) = std::env::var_os("PATH") {
        for d in std::env::split_paths(&path) {
            if d.join("pgbouncer").is_file() {
                return d.join("pgbouncer");
            }
        }
    }
    panic!("{INSTALL_HINT}");
}

/// A running PgBouncer; stopped when dropped or when the process ends.
#[derive(Debug)]
pub struct PgBouncer {
    /// Loopback port clients connect to.
    pub port: u16,
    watchdog: Child,
}

impl PgBouncer {
    /// Starts PgBouncer in transaction mode for `cluster`'s `app` database,
    /// with two server connections shared by all clients (so that anything
    /// that relies on session state across transactions shows up at once). `server_tls` chooses
    /// `verify-full` or plaintext for the PgBouncer → PostgreSQL leg.
    pub fn start(cluster: &Cluster, server_tls: bool) -> PgBouncer {
        let dir = temp_dir("pgbouncer");
        let port = free_port();
        let (cert, key) = certs::certs().valid_server_pem();
        std::fs::write(dir.join("server.crt"), cert).unwrap();
        std::fs::write(dir.join("server.key"), key).unwrap();
        std::fs::copy(certs::certs().ca_file(), dir.join("ca.pem")).unwrap();
        std::fs::write(
            dir.join("userlist.txt"),
            format!("\"{APP_USER}\" \"{APP_PASSWORD}\"\n"),
        )
        .unwrap();
        let server_tls = if server_tls {
            format!(
                "server_tls_sslmode = verify-full\nserver_tls_ca_file = {}\n",
                dir.join("ca.pem").display()
            )
        } else {
            "server_tls_sslmode = disable\n".to_string()
        };
        let ini = format!(
            "[databases]\n{APP_DB} = host=localhost port={} dbname={APP_DB}\n\n[pgbouncer]\n\
             listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n\
             auth_type = scram-sha-256\nauth_file = {d}/userlist.txt\n\
             pool_mode = transaction\ndefault_pool_size = 2\nmax_client_conn = 200\n\
             client_tls_sslmode = require\nclient_tls_cert_file = {d}/server.crt\n\
             client_tls_key_file = {d}/server.key\n{server_tls}\
             logfile = {d}/pgbouncer.log\npidfile = {d}/pgbouncer.pid\n",
            cluster.port,
            d = dir.display()
        );
        std::fs::write(dir.join("pgbouncer.ini"), ini).unwrap();
        crate::chown_to_postgres(&dir);
        let bin = binary();
        let run = if crate::is_root() {
            format!(
                "setpriv --reuid=postgres --regid=postgres --init-groups -- {} {}",
                bin.display(),
                dir.join("pgbouncer.ini").display()
            )
        } else {
            format!("{} {}", bin.display(), dir.join("pgbouncer.ini").display())
        };
        // Stopped when stdin closes, i.e. when this process ends.
        let watchdog = Command::new("sh")
            .arg("-c")
            .arg(format!(
                "{run} >/dev/null 2>&1 & pid=$!\nread _ignored\nkill -INT $pid 2>/dev/null\nwait $pid\n"
            ))
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start pgbouncer");
        let deadline = Instant::now() + Duration::from_secs(15);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "pgbouncer did not start: {}",
                std::fs::read_to_string(dir.join("pgbouncer.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(25));
        }
        PgBouncer { port, watchdog }
    }

    /// A verify-full URL for the app role through PgBouncer.
    pub fn url(&self) -> String {
        format!(
            "postgres://{APP_USER}:{APP_PASSWORD}@localhost:{}/{APP_DB}?sslrootcert={}",
            self.port,
            certs::certs().ca_file().display()
        )
    }
}

impl Drop for PgBouncer {
    fn drop(&mut self) {
        drop(self.watchdog.stdin.take());
        let _ = self.watchdog.wait();
    }
}
