//! The `secure-pg` command line; see the `secure_pg_cli` library.

fn main() -> std::process::ExitCode {
    secure_pg_cli::main()
}
