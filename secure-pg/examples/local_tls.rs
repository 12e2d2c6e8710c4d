//! Local TLS in one step, so a development server is reached with
//! `verify-full` like production:
//!
//! ```sh
//! cargo run -p secure-pg --features testing --example local_tls -- ./pg-tls localhost 127.0.0.1
//! ```
//!
//! writes `root.crt`, `server.crt` and `server.key` into `./pg-tls` and
//! prints the server's `postgresql.conf` lines and the client's URL.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next() else {
        eprintln!("usage: local_tls <dir> [host...]   (default host: localhost)");
        std::process::exit(2);
    };
    let hosts: Vec<String> = args.collect();
    let hosts: Vec<&str> = if hosts.is_empty() {
        vec!["localhost"]
    } else {
        hosts.iter().map(String::as_str).collect()
    };
    let dir = std::path::absolute(&dir)?;
    let files = secure_pg::testing::write_server_tls(&dir, &hosts)?;
    println!("# postgresql.conf (the server's user must own server.key):");
    print!("{}", files.postgresql_conf());
    println!("# pg_hba.conf: accept TLS only, e.g.");
    println!("hostssl all all 127.0.0.1/32 scram-sha-256");
    println!("hostnossl all all 0.0.0.0/0 reject");
    println!("# the client:");
    println!(
        "DATABASE_URL='postgres://USER:PASSWORD@{}:5432/DB?sslmode=verify-full&sslrootcert={}'",
        hosts[0],
        files.root_cert.display()
    );
    Ok(())
}
