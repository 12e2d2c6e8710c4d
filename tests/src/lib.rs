//! Throwaway PostgreSQL clusters for tests and examples.
//!
//! Clusters are real servers started from the system's PostgreSQL binaries
//! (found on `PATH`, via `pg_config --bindir`, or under
//! `/usr/lib/postgresql/*/bin`) in a temporary directory on a free loopback
//! port, with certificates generated at run time. `initdb` runs once per
//! process; every cluster is a copy of that template.
//!
//! Each server runs under a small shell watchdog whose standard input is a
//! pipe from this process: when the process ends for any reason (a panic, a
//! failed assertion, `SIGKILL`), the pipe closes and the watchdog stops the
//! server and deletes its directory. When run as root the server runs as the
//! `postgres` user (PostgreSQL refuses to run as root).
//!
//! The process-level pieces (finding the binaries, `initdb`, the watchdog,
//! temporary directories, the certificate authority) are the published
//! `secure_pg::testing` (feature `testing`), which `#[secure_pg::test]`
//! starts its own server with; this crate adds the variants the suite
//! needs (bad certificates, standbys, PgBouncer, fakes).

pub mod aws_fake;
pub mod capture;
pub mod certs;
pub mod fake;
pub mod pgbouncer;
pub mod proxy;

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

pub use certs::{Certs, ServerCert};
pub use secure_pg::testing::server::{
    chown_to_postgres, free_port, initdb_template as template, is_root, pg_bin_dir, pg_command,
    run, shell_quote, spawn_reaper, temp_dir, INSTALL_HINT, SUPERUSER_PASSWORD,
};

/// Application role created in every cluster (not a superuser).
pub const APP_USER: &str = "app";
/// Password of [`APP_USER`]. Tests grep every error string for it.
pub const APP_PASSWORD: &str = "app-P4ssw0rd-never-shown";
/// Database owned by [`APP_USER`].
pub const APP_DB: &str = "app";

/// Everything the test suite starts, in one line for Debian/Ubuntu (the
/// README's requirements line says the same).
pub const INSTALL_LINE: &str = "apt-get install -y postgresql pgbouncer";

/// What kind of server to start.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ClusterSpec {
    /// The certificate the server presents; `None` for a plaintext server.
    pub cert: Option<ServerCert>,
    /// Extra lines for postgresql.conf.
    pub settings: Vec<(String, String)>,
}

impl ClusterSpec {
    /// A TLS server presenting `cert`.
    pub fn tls(cert: ServerCert) -> Self {
        ClusterSpec {
            cert: Some(cert),
            settings: Vec::new(),
        }
    }
    /// A server with TLS off that accepts plaintext password logins.
    pub fn plaintext() -> Self {
        ClusterSpec {
            cert: None,
            settings: Vec::new(),
        }
    }
    /// Adds a postgresql.conf setting.
    pub fn setting(mut self, key: &str, value: &str) -> Self {
        self.settings.push((key.into(), value.into()));
        self
    }
}

/// A running throwaway server.
#[derive(Debug)]
pub struct Cluster {
    /// Loopback TCP port.
    pub port: u16,
    /// The data directory.
    pub data: PathBuf,
    /// Directory of the Unix socket.
    pub socket_dir: PathBuf,
    /// What was started.
    pub spec: ClusterSpec,
    watchdog: Mutex<Option<Child>>,
    last_probe: Mutex<String>,
}

impl Cluster {
    /// Starts a new cluster (stopped when dropped or when the process ends).
    pub fn start(spec: ClusterSpec) -> Cluster {
        let mut last = String::new();
        for _ in 0..5 {
            match Cluster::try_start(spec.clone()) {
                Ok(c) => return c,
                Err(e) => last = e,
            }
        }
        panic!("could not start PostgreSQL: {last}");
    }

    fn try_start(spec: ClusterSpec) -> Result<Cluster, String> {
        let root = temp_dir("cluster");
        let data = root.join("data");
        run(
            Command::new("cp").arg("-a").arg(template()).arg(&data),
            "copy template cluster",
        );
        let socket_dir = root.join("sock");
        std::fs::create_dir_all(&socket_dir).unwrap();
        let port = free_port();
        let mut conf = format!(
            "port = {port}\nlisten_addresses = '127.0.0.1,::1'\nunix_socket_directories = '{}'\n\
             fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n\
             shared_buffers = 16MB\nmax_connections = 120\npassword_encryption = 'scram-sha-256'\n\
             logging_collector = off\nlog_min_messages = warning\n",
            socket_dir.display()
        );
        let mut hba = String::from("local all all trust\nlocal replication all trust\n");
        match &spec.cert {
            Some(cert) => {
                let (chain, key) = certs::certs().server_pem(cert);
                std::fs::write(data.join("server.crt"), chain).unwrap();
                std::fs::write(data.join("server.key"), key).unwrap();
                set_mode(&data.join("server.key"), 0o600);
                conf.push_str(
                    "ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n",
                );
                conf.push_str(&format!(
                    "ssl_ca_file = '{}'\n",
                    certs::certs().client_ca_file(&data).display()
                ));
                hba.push_str(
                    "hostssl all all 127.0.0.1/32 scram-sha-256\nhostssl all all ::1/128 scram-sha-256\n\
                     hostnossl all all 0.0.0.0/0 reject\nhostnossl all all ::/0 reject\n",
                );
            }
            None => {
                conf.push_str("ssl = off\n");
                hba.push_str(
                    "host all all 127.0.0.1/32 scram-sha-256\nhost all all ::1/128 scram-sha-256\n",
                );
            }
        }
        for (k, v) in &spec.settings {
            conf.push_str(&format!("{k} = {v}\n"));
        }
        std::fs::write(data.join("postgresql.auto.conf"), conf).unwrap();
        std::fs::write(data.join("pg_hba.conf"), hba).unwrap();
        let cluster = Cluster::launch(root, data, port, socket_dir, spec)?;
        cluster.psql(&format!(
            "CREATE ROLE {APP_USER} LOGIN PASSWORD '{APP_PASSWORD}'"
        ));
        cluster.psql(&format!("CREATE DATABASE {APP_DB} OWNER {APP_USER}"));
        Ok(cluster)
    }

    /// Starts `postgres` on a prepared data directory under its watchdog
    /// and waits until it accepts connections.
    fn launch(
        root: PathBuf,
        data: PathBuf,
        port: u16,
        socket_dir: PathBuf,
        spec: ClusterSpec,
    ) -> Result<Cluster, String> {
        chown_to_postgres(&root);
        let log = root.join("server.log");
        std::fs::write(&log, "").unwrap();
        chown_to_postgres(&log);

        // The watchdog starts the server, obeys `stop`/`start` lines on its
        // stdin, and when stdin closes (this process ended, however it
        // ended) stops the server and deletes the directory.
        let child = secure_pg::testing::server::spawn_watchdog(&root, &data, &log)
            .map_err(|e| e.to_string())?;
        let cluster = Cluster {
            port,
            data,
            socket_dir,
            spec,
            watchdog: Mutex::new(Some(child)),
            last_probe: Mutex::new(String::new()),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if cluster.is_ready() {
                break;
            }
            if Instant::now() > deadline
                || cluster
                    .watchdog
                    .lock()
                    .unwrap()
                    .as_mut()
                    .is_some_and(|c| c.try_wait().ok().flatten().is_some())
            {
                let log = std::fs::read_to_string(&log).unwrap_or_default();
                let probe = cluster.last_probe.lock().unwrap().clone();
                return Err(format!(
                    "server did not become ready ({probe}); log:\n{log}"
                ));
            }
            if std::fs::read_to_string(&log)
                .unwrap_or_default()
                .contains("could not bind")
            {
                return Err("port taken".into());
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        Ok(cluster)
    }

    /// Starts a streaming standby of this (running) cluster, made with
    /// `pg_basebackup -R`, on a port of its own.
    pub fn start_standby(&self) -> Cluster {
        let root = temp_dir("standby");
        let data = root.join("data");
        chown_to_postgres(&root);
        run(
            pg_command("pg_basebackup")
                .arg("-D")
                .arg(&data)
                .arg("-h")
                .arg(&self.socket_dir)
                .arg("-p")
                .arg(self.port.to_string())
                .args([
                    "-U",
                    "postgres",
                    "-X",
                    "stream",
                    "-R",
                    "--no-sync",
                    "--checkpoint=fast",
                ]),
            "pg_basebackup",
        );
        let socket_dir = root.join("sock");
        std::fs::create_dir_all(&socket_dir).unwrap();
        let port = free_port();
        let auto = data.join("postgresql.auto.conf");
        let conf: String = std::fs::read_to_string(&auto)
            .unwrap()
            .lines()
            .map(|l| {
                if l.starts_with("port = ") {
                    format!("port = {port}")
                } else if l.starts_with("unix_socket_directories = ") {
                    format!("unix_socket_directories = '{}'", socket_dir.display())
                } else {
                    l.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        std::fs::write(&auto, conf + "\n").unwrap();
        Cluster::launch(root, data, port, socket_dir, self.spec.clone())
            .unwrap_or_else(|e| panic!("could not start the standby: {e}"))
    }

    /// Promotes a standby to primary and waits until it accepts writes.
    pub fn promote(&self) {
        let out = self.psql("SELECT pg_promote(true, 60)");
        assert_eq!(out.trim(), "t", "promotion failed: {out}");
    }

    fn is_ready(&self) -> bool {
        match secure_pg::testing::server::probe(&self.socket_dir, self.port) {
            Ok(()) => true,
            Err(why) => {
                *self.last_probe.lock().unwrap() = why;
                false
            }
        }
    }

    /// Runs SQL as the superuser over the Unix socket (setup only).
    pub fn psql(&self, sql: &str) -> String {
        self.psql_db("postgres", sql)
    }

    /// Runs SQL as the superuser in `db` over the Unix socket.
    pub fn psql_db(&self, db: &str, sql: &str) -> String {
        let out = Command::new(pg_bin_dir().join("psql"))
            .arg("-h")
            .arg(&self.socket_dir)
            .arg("-p")
            .arg(self.port.to_string())
            .args([
                "-U",
                "postgres",
                "-d",
                db,
                "-X",
                "-q",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
            ])
            .arg(sql)
            .output()
            .expect("run psql");
        assert!(
            out.status.success(),
            "psql failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// `pg_dump --schema-only` of `db`, as the superuser over the Unix
    /// socket.
    pub fn pg_dump_schema(&self, db: &str) -> String {
        let out = Command::new(pg_bin_dir().join("pg_dump"))
            .arg("-h")
            .arg(&self.socket_dir)
            .arg("-p")
            .arg(self.port.to_string())
            .args(["-U", "postgres", "--schema-only", db])
            .output()
            .expect("run pg_dump");
        assert!(
            out.status.success(),
            "pg_dump failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// A URL for the app role over TLS with `verify-full` and the test CA.
    pub fn url(&self) -> String {
        format!(
            "postgres://{APP_USER}:{APP_PASSWORD}@localhost:{}/{APP_DB}?sslrootcert={}",
            self.port,
            certs::certs().ca_file().display()
        )
    }

    /// A verify-full URL for the `postgres` superuser (for tests that need
    /// to terminate backends or check the superuser finding).
    pub fn superuser_url(&self) -> String {
        format!(
            "postgres://postgres:{SUPERUSER_PASSWORD}@localhost:{}/{APP_DB}?sslrootcert={}",
            self.port,
            certs::certs().ca_file().display()
        )
    }

    /// A URL for `host` with explicit options, the app role's password and
    /// no `sslrootcert` (add it in `options` when wanted).
    pub fn url_with(&self, host: &str, options: &str) -> String {
        let host = if host.contains(':') {
            format!("[{host}]")
        } else {
            host.to_string()
        };
        format!(
            "postgres://{APP_USER}:{APP_PASSWORD}@{host}:{}/{APP_DB}?{options}",
            self.port
        )
    }

    fn tell_watchdog(&self, line: &str) {
        let mut guard = self.watchdog.lock().unwrap();
        let child = guard.as_mut().expect("cluster watchdog");
        let stdin = child.stdin.as_mut().expect("watchdog stdin");
        writeln!(stdin, "{line}").expect("write to watchdog");
        stdin.flush().unwrap();
    }

    /// Stops the server (fast shutdown: sessions are terminated) and waits
    /// until it is gone. Start it again with [`Cluster::restart`].
    pub fn stop(&self) {
        self.tell_watchdog("stop");
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.data.join("postmaster.pid").exists() {
            assert!(Instant::now() < deadline, "server did not stop");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Starts a stopped server again on the same port and waits until it
    /// accepts connections.
    pub fn restart(&self) {
        self.tell_watchdog("start");
        let deadline = Instant::now() + Duration::from_secs(30);
        while !self.is_ready() {
            assert!(Instant::now() < deadline, "server did not restart");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Sends SIGHUP so that changed files (certificates, pg_hba) are read.
    pub fn reload(&self) {
        self.psql("SELECT pg_reload_conf()");
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if let Some(mut child) = self.watchdog.lock().unwrap().take() {
            drop(child.stdin.take());
            let _ = child.wait();
        }
    }
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// One shared cluster per spec per process, for tests that do not change
/// server state.
pub fn shared(spec: ClusterSpec) -> Arc<Cluster> {
    type Slot = Arc<OnceLock<Arc<Cluster>>>;
    static CLUSTERS: OnceLock<Mutex<HashMap<ClusterSpec, Slot>>> = OnceLock::new();
    let slot = {
        let mut map = CLUSTERS
            .get_or_init(Default::default)
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        map.entry(spec.clone()).or_default().clone()
    };
    slot.get_or_init(|| {
        // Shared clusters live in this static until the process ends; the
        // watchdog then stops them.
        Arc::new(Cluster::start(spec))
    })
    .clone()
}

/// Writes a line to stderr (visible with `--nocapture`), for harness
/// diagnostics.
pub fn note(msg: &str) {
    let _ = writeln!(std::io::stderr(), "[harness] {msg}");
}

#[cfg(test)]
mod install_hint_tests {
    /// The install line is the same in every message and in the README.
    #[test]
    fn every_missing_binary_message_names_the_install_line() {
        assert!(super::INSTALL_HINT.contains(super::INSTALL_LINE));
        assert!(crate::pgbouncer::INSTALL_HINT.contains(super::INSTALL_LINE));
        let readme = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md"),
        )
        .expect("README.md");
        assert!(
            readme.contains(super::INSTALL_LINE),
            "README lacks the install line"
        );
    }
}
