//! Throwaway PostgreSQL servers: the system's server binaries, a
//! temporary directory, a free loopback port, and a watchdog that stops
//! the server and deletes its directory when this process ends, however
//! it ends. The building blocks are public for test harnesses (this
//! repository's own suite is built on them); [`LocalServer`] is the one
//! `#[secure_pg::test]` starts.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use super::certs::write_server_tls;

/// What a missing server binary says: how to install them.
pub const INSTALL_HINT: &str = "PostgreSQL server binaries (initdb, pg_ctl, postgres, \
pg_isready, psql) were not found. Install everything the tests need with `apt-get install -y \
postgresql pgbouncer` on Debian/Ubuntu (macOS: `brew install postgresql pgbouncer`), or put \
the binaries' directory on PATH. The tests never skip: they need a real server.";

/// Password of the `postgres` superuser of every server made from
/// [`initdb_template`].
pub const SUPERUSER_PASSWORD: &str = "Sup3r-secret-pw!";

/// The directory holding `initdb` and `postgres` (on `PATH`, from
/// `pg_config --bindir`, or the newest `/usr/lib/postgresql/*/bin`).
/// Panics with [`INSTALL_HINT`] when there is none.
pub fn pg_bin_dir() -> PathBuf {
    static DIR: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    DIR.get_or_init(find_bin_dir)
        .clone()
        .unwrap_or_else(|e| panic!("{e}"))
}

fn find_bin_dir() -> Result<PathBuf, String> {
    let has = |d: &Path| {
        ["initdb", "postgres", "pg_ctl", "pg_isready", "psql"]
            .iter()
            .all(|p| d.join(p).is_file())
    };
    if let Some(path) = std::env::var_os("PATH") {
        for d in std::env::split_paths(&path) {
            if has(&d) {
                return Ok(d);
            }
        }
    }
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output() {
        let d = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if has(&d) {
            return Ok(d);
        }
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|d| has(d))
        .collect();
    found.sort_by_key(|d| {
        d.parent()
            .and_then(|p| p.file_name())
            .and_then(|n| n.to_str())
            .and_then(|n| n.parse::<u32>().ok())
            .unwrap_or(0)
    });
    found.pop().ok_or_else(|| INSTALL_HINT.to_string())
}

/// Whether this process runs as root (a server then runs as `postgres`,
/// since PostgreSQL refuses to run as root).
pub fn is_root() -> bool {
    static ROOT: OnceLock<bool> = OnceLock::new();
    *ROOT.get_or_init(|| {
        Command::new("id")
            .arg("-u")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
            .unwrap_or(false)
    })
}

/// A PostgreSQL program of [`pg_bin_dir`], run as `postgres` when this
/// process is root.
pub fn pg_command(program: &str) -> Command {
    let bin = pg_bin_dir().join(program);
    if is_root() {
        let mut c = Command::new("setpriv");
        c.args([
            "--reuid=postgres",
            "--regid=postgres",
            "--init-groups",
            "--",
        ]);
        c.arg(bin);
        c
    } else {
        Command::new(bin)
    }
}

/// Gives `path` (recursively) to `postgres` when this process is root.
pub fn chown_to_postgres(path: &Path) {
    if is_root() {
        let status = Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(path)
            .status()
            .expect("chown");
        assert!(status.success(), "chown {} failed", path.display());
    }
}

/// Runs `cmd`, panicking with its output (naming it `what`) if it fails.
pub fn run(cmd: &mut Command, what: &str) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A fresh directory under the system temp dir, deleted when this process
/// ends.
pub fn temp_dir(tag: &str) -> PathBuf {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!(
        "secure-pg-{tag}-{}-{n}-{}",
        std::process::id(),
        Instant::now().elapsed().as_nanos()
    ));
    std::fs::create_dir_all(&dir).expect("create temp dir");
    spawn_reaper(&dir);
    dir
}

/// Deletes `dir` when this process ends (for directories no server owns).
pub fn spawn_reaper(dir: &Path) {
    let child = Command::new("sh")
        .arg("-c")
        .arg(r#"read _ignored; rm -rf "$1""#)
        .arg("sh")
        .arg(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn reaper");
    // Keep the pipe open for the life of the process.
    std::mem::forget(child);
}

/// An `initdb`-made data directory (superuser `postgres` with
/// [`SUPERUSER_PASSWORD`], local trust, SCRAM over TCP), once per
/// process: copy it for each server.
pub fn initdb_template() -> &'static Path {
    static TEMPLATE: OnceLock<PathBuf> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let root = temp_dir("template");
        let data = root.join("data");
        let pwfile = root.join("pw");
        std::fs::write(&pwfile, SUPERUSER_PASSWORD).unwrap();
        chown_to_postgres(&root);
        run(
            pg_command("initdb")
                .arg("-D")
                .arg(&data)
                .args([
                    "-U",
                    "postgres",
                    "--auth-local=trust",
                    "--auth-host=scram-sha-256",
                    "-E",
                    "UTF8",
                    "--no-sync",
                    "--no-instructions",
                ])
                .arg(format!("--pwfile={}", pwfile.display())),
            "initdb",
        );
        std::fs::remove_file(&pwfile).ok();
        data
    })
}

/// `s` quoted for `sh`.
pub fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// A loopback port that was free a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("bind a free port")
}

/// Starts `postgres -D data` under a watchdog shell whose standard input
/// is a pipe from this process. The watchdog obeys `stop` and `start`
/// lines, and when the pipe closes (this process ended, however it ended)
/// stops the server and deletes `root`. The server logs to `log`.
pub fn spawn_watchdog(root: &Path, data: &Path, log: &Path) -> std::io::Result<Child> {
    let mut postgres = pg_command("postgres");
    postgres.arg("-D").arg(data);
    let argv: Vec<String> = std::iter::once(postgres.get_program())
        .chain(postgres.get_args())
        .map(|a| shell_quote(&a.to_string_lossy()))
        .collect();
    let script = format!(
        "start() {{ {} >>{} 2>&1 & pid=$!; }}\nstart\n\
         while read cmd; do case $cmd in\n\
         stop) kill -INT $pid 2>/dev/null; wait $pid;;\n\
         start) start;;\n\
         esac; done\n\
         kill -INT $pid 2>/dev/null\nwait $pid\nrm -rf {}\n",
        argv.join(" "),
        shell_quote(&log.to_string_lossy()),
        shell_quote(&root.to_string_lossy())
    );
    Command::new("sh")
        .arg("-c")
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
}

/// Whether the server on `socket_dir`:`port` accepts connections
/// (`pg_isready`); `Err` says why not.
pub fn probe(socket_dir: &Path, port: u16) -> Result<(), String> {
    let out = Command::new(pg_bin_dir().join("pg_isready"))
        .arg("-h")
        .arg(socket_dir)
        .arg("-p")
        .arg(port.to_string())
        .output();
    match out {
        Ok(o) if o.status.success() => Ok(()),
        Ok(o) => Err(format!(
            "pg_isready: {} {}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )),
        Err(e) => Err(format!("pg_isready: {e}")),
    }
}

/// The role [`LocalServer`] creates for tests: it may create databases
/// and owns them, and is not a superuser.
pub const TEST_ROLE: &str = "secure_pg_test";

/// A throwaway server with TLS: a certificate for `localhost`,
/// `127.0.0.1` and `::1` from a CA made on the spot, TCP only over TLS
/// with SCRAM, and the login role [`TEST_ROLE`] (`CREATEDB`). Stopped and
/// deleted when this process ends.
#[derive(Debug)]
pub struct LocalServer {
    port: u16,
    socket_dir: PathBuf,
    ca_file: PathBuf,
    password: String,
    _watchdog: Mutex<Child>,
}

impl LocalServer {
    /// Starts one (a few tries on a port taken meanwhile); panics with what
    /// the server logged when it cannot.
    pub fn start() -> LocalServer {
        let mut last = String::new();
        for _ in 0..5 {
            match LocalServer::try_start() {
                Ok(s) => return s,
                Err(e) => last = e,
            }
        }
        panic!("could not start PostgreSQL: {last}");
    }

    fn try_start() -> Result<LocalServer, String> {
        let root = temp_dir("server");
        let data = root.join("data");
        run(
            Command::new("cp")
                .arg("-a")
                .arg(initdb_template())
                .arg(&data),
            "copy the initdb template",
        );
        let socket_dir = root.join("sock");
        std::fs::create_dir_all(&socket_dir).map_err(|e| e.to_string())?;
        let port = free_port();
        // The same one step a developer takes for a local server.
        let tls = write_server_tls(&data, &["localhost", "127.0.0.1", "::1"])
            .map_err(|e| e.to_string())?;
        let ca_file = tls.root_cert;
        let conf = format!(
            "port = {port}\nlisten_addresses = '127.0.0.1,::1'\nunix_socket_directories = '{}'\n\
             fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n\
             shared_buffers = 16MB\nmax_connections = 100\npassword_encryption = 'scram-sha-256'\n\
             logging_collector = off\nlog_min_messages = warning\n\
             ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n",
            socket_dir.display()
        );
        let hba = "local all all trust\n\
                   hostssl all all 127.0.0.1/32 scram-sha-256\nhostssl all all ::1/128 scram-sha-256\n\
                   hostnossl all all 0.0.0.0/0 reject\nhostnossl all all ::/0 reject\n";
        std::fs::write(data.join("postgresql.auto.conf"), conf).map_err(|e| e.to_string())?;
        std::fs::write(data.join("pg_hba.conf"), hba).map_err(|e| e.to_string())?;
        chown_to_postgres(&root);
        let log = root.join("server.log");
        std::fs::write(&log, "").map_err(|e| e.to_string())?;
        chown_to_postgres(&log);
        let mut watchdog = spawn_watchdog(&root, &data, &log).map_err(|e| e.to_string())?;
        let deadline = Instant::now() + Duration::from_secs(30);
        while let Err(why) = probe(&socket_dir, port) {
            let exited = watchdog.try_wait().ok().flatten().is_some();
            let log_text = std::fs::read_to_string(&log).unwrap_or_default();
            if log_text.contains("could not bind") {
                return Err("port taken".into());
            }
            if exited || Instant::now() > deadline {
                return Err(format!(
                    "server did not become ready ({why}); log:\n{log_text}"
                ));
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        let password = format!(
            "t-{}-{}",
            std::process::id(),
            Instant::now().elapsed().as_nanos()
        );
        run(
            Command::new(pg_bin_dir().join("psql"))
                .arg("-h")
                .arg(&socket_dir)
                .arg("-p")
                .arg(port.to_string())
                .args(["-U", "postgres", "-d", "postgres", "-X", "-q"])
                .args(["-v", "ON_ERROR_STOP=1", "-c"])
                .arg(format!(
                    "CREATE ROLE {TEST_ROLE} LOGIN CREATEDB PASSWORD '{password}'"
                )),
            "create the test role",
        );
        Ok(LocalServer {
            port,
            socket_dir,
            ca_file,
            password,
            _watchdog: Mutex::new(watchdog),
        })
    }

    /// A `verify-full` URL of database `db` for [`TEST_ROLE`].
    pub fn url(&self, db: &str) -> String {
        format!(
            "postgres://{TEST_ROLE}:{}@localhost:{}/{db}?sslmode=verify-full&sslrootcert={}",
            self.password,
            self.port,
            self.ca_file.display()
        )
    }

    /// Runs `sql` in database `db` as the superuser `postgres`, over the
    /// server's Unix socket (for what [`TEST_ROLE`] may not do, such as
    /// creating an extension that is not trusted). The error is psql's
    /// message.
    pub fn superuser_sql(&self, db: &str, sql: &str) -> Result<(), String> {
        let out = Command::new(pg_bin_dir().join("psql"))
            .arg("-h")
            .arg(&self.socket_dir)
            .arg("-p")
            .arg(self.port.to_string())
            .args(["-U", "postgres", "-d", db, "-X", "-q"])
            .args(["-v", "ON_ERROR_STOP=1", "-c"])
            .arg(sql)
            .output()
            .map_err(|e| format!("psql could not be run: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
        }
    }

    /// The CA file the server's certificate chains to.
    pub fn ca_file(&self) -> &Path {
        &self.ca_file
    }
}
