//! A network link with a fixed one-way delay, between the clients and the
//! server, for the workloads whose point is a round trip saved.
//!
//! On loopback a round trip costs no time, only CPU: what a client saves
//! by sending fewer round trips hardly shows when both share two cores
//! with the server. Over a real network each round trip costs the link's
//! delay too. `tc netem` would add that delay in the kernel, but it needs
//! privileges and a kernel module; this proxy adds it in user space,
//! equally for every client. Each chunk read from one side is written to
//! the other once `delay` has passed since it was read, and chunks keep
//! their order, so the link delays data without limiting its rate.
//! The relay's own threads are shared by every client measured on it.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// A listening proxy on 127.0.0.1 to a local port. It lives as long as the
/// process (the benchmark ends with it).
#[derive(Debug)]
pub(crate) struct Link {
    /// Where clients connect.
    pub(crate) port: u16,
    /// The delay added each way.
    pub(crate) one_way: Duration,
}

impl Link {
    /// Starts relaying every connection made to [`Link::port`] to
    /// `upstream`, with `one_way` added in each direction.
    pub(crate) fn start(upstream: u16, one_way: Duration) -> std::io::Result<Link> {
        let listener = TcpListener::bind(("127.0.0.1", 0))?;
        let port = listener.local_addr()?.port();
        thread::Builder::new()
            .name("link-accept".into())
            .spawn(move || {
                for client in listener.incoming() {
                    let Ok(client) = client else { continue };
                    match TcpStream::connect(("127.0.0.1", upstream)) {
                        Ok(server) => relay(client, server, one_way),
                        Err(e) => eprintln!("link: cannot reach port {upstream}: {e}"),
                    }
                }
            })?;
        Ok(Link { port, one_way })
    }
}

fn relay(client: TcpStream, server: TcpStream, one_way: Duration) {
    for s in [&client, &server] {
        let _ = s.set_nodelay(true);
    }
    let (Ok(client2), Ok(server2)) = (client.try_clone(), server.try_clone()) else {
        return;
    };
    direction(client, server2, one_way);
    direction(server, client2, one_way);
}

/// One direction: a reader that stamps each chunk with the time it may
/// leave, and a writer that waits for that time. When either side closes,
/// the other is shut down too.
fn direction(mut from: TcpStream, mut to: TcpStream, one_way: Duration) {
    let (tx, rx) = mpsc::channel::<(Instant, Vec<u8>)>();
    let _ = thread::Builder::new()
        .name("link-read".into())
        .spawn(move || {
            let mut buf = vec![0u8; 64 * 1024];
            loop {
                match from.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        if tx
                            .send((Instant::now() + one_way, buf[..n].to_vec()))
                            .is_err()
                        {
                            break;
                        }
                    }
                }
            }
            let _ = from.shutdown(Shutdown::Read);
        });
    let _ = thread::Builder::new()
        .name("link-write".into())
        .spawn(move || {
            for (due, chunk) in rx {
                let now = Instant::now();
                if due > now {
                    thread::sleep(due - now);
                }
                if to.write_all(&chunk).is_err() {
                    break;
                }
            }
            let _ = to.shutdown(Shutdown::Write);
        });
}
