//! A fault-injecting TCP proxy on loopback, between the client and a real
//! server: it can pass traffic, delay it, stall (hold every byte), stall
//! after letting the first few server bytes through, cut every open
//! connection, and refuse new ones.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// What the proxy does to traffic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Forward everything.
    Pass,
    /// Forward every chunk after this delay, one chunk after another (a
    /// chunk read while the one before waits waits its own delay after).
    Delay(Duration),
    /// A link with this one-way latency: every chunk is forwarded this long
    /// after it arrived, however many are on their way, in order. A round
    /// trip costs twice the latency, and requests written together cost
    /// one round trip, as over a real network.
    Latency(Duration),
    /// Forward nothing more, in either direction; keep the sockets open.
    Stall,
    /// For new connections: forward this many bytes from the server, then
    /// stall (e.g. 1 lets the SSL answer `S` through and stalls the TLS
    /// handshake).
    StallAfterServerBytes(usize),
    /// Accept new connections and close them at once.
    Refuse,
}

/// A running proxy; stopped when dropped.
#[derive(Debug)]
pub struct FaultProxy {
    addr: SocketAddr,
    fault: watch::Sender<Fault>,
    conns: Arc<Mutex<Vec<JoinHandle<()>>>>,
    accept: JoinHandle<()>,
}

impl FaultProxy {
    /// Starts a proxy in front of `upstream`.
    pub async fn start(upstream: SocketAddr) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (fault, rx) = watch::channel(Fault::Pass);
        let conns: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let conns2 = conns.clone();
        let accept = tokio::spawn(async move {
            loop {
                let Ok((client, _)) = listener.accept().await else {
                    return;
                };
                let mode = *rx.borrow();
                if mode == Fault::Refuse {
                    drop(client);
                    continue;
                }
                let rx = rx.clone();
                let task = tokio::spawn(async move {
                    let Ok(server) = TcpStream::connect(upstream).await else {
                        return;
                    };
                    let _ = client.set_nodelay(true);
                    let _ = server.set_nodelay(true);
                    let budget = match mode {
                        Fault::StallAfterServerBytes(n) => Some(n),
                        _ => None,
                    };
                    let (cr, cw) = client.into_split();
                    let (sr, sw) = server.into_split();
                    let up = pump(cr, sw, rx.clone(), None);
                    let down = pump(sr, cw, rx, budget);
                    tokio::join!(up, down);
                });
                conns2.lock().unwrap().push(task);
            }
        });
        FaultProxy {
            addr,
            fault,
            conns,
            accept,
        }
    }

    /// The proxy's address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Changes the fault for traffic from now on.
    pub fn set(&self, fault: Fault) {
        self.fault.send_replace(fault);
    }

    /// Cuts every open connection (both directions, at once).
    pub fn cut_all(&self) {
        for task in self.conns.lock().unwrap().drain(..) {
            task.abort();
        }
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.accept.abort();
        self.cut_all();
    }
}

async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    mut fault: watch::Receiver<Fault>,
    mut budget: Option<usize>,
) {
    let mut buf = vec![0u8; 16 * 1024];
    // Chunks on their way under `Fault::Latency`, with when each is due.
    let mut in_flight: std::collections::VecDeque<(tokio::time::Instant, Vec<u8>)> =
        std::collections::VecDeque::new();
    loop {
        let due = in_flight.front().map(|(at, _)| *at);
        let read = tokio::select! {
            r = from.read(&mut buf) => r,
            () = tokio::time::sleep_until(due.unwrap_or_else(tokio::time::Instant::now)), if due.is_some() => {
                let (_, data) = in_flight.pop_front().expect("a chunk is due");
                if to.write_all(&data).await.is_err() {
                    return;
                }
                continue;
            }
        };
        let n = match read {
            Ok(0) | Err(_) => {
                // What is on its way still arrives.
                for (at, data) in in_flight.drain(..) {
                    tokio::time::sleep_until(at).await;
                    if to.write_all(&data).await.is_err() {
                        return;
                    }
                }
                return;
            }
            Ok(n) => n,
        };
        if let Fault::Latency(d) = *fault.borrow() {
            in_flight.push_back((tokio::time::Instant::now() + d, buf[..n].to_vec()));
            continue;
        }
        // Leaving latency mode: what is on its way goes first, in order.
        for (at, data) in in_flight.drain(..) {
            tokio::time::sleep_until(at).await;
            if to.write_all(&data).await.is_err() {
                return;
            }
        }
        let mut chunk = &buf[..n];
        if let Some(left) = budget.as_mut() {
            let pass = chunk.len().min(*left);
            if to.write_all(&chunk[..pass]).await.is_err() {
                return;
            }
            *left -= pass;
            chunk = &chunk[pass..];
            if *left == 0 {
                // Stall forever (until cut).
                std::future::pending::<()>().await;
            }
            if chunk.is_empty() {
                continue;
            }
        }
        loop {
            let current = *fault.borrow_and_update();
            match current {
                Fault::Stall => {
                    if fault.changed().await.is_err() {
                        return;
                    }
                }
                Fault::Delay(d) => {
                    tokio::time::sleep(d).await;
                    break;
                }
                _ => break,
            }
        }
        if to.write_all(chunk).await.is_err() {
            return;
        }
    }
}
