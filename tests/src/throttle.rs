//! A TCP relay that emulates a slow mobile link: a fixed one-way delay and a bandwidth per
//! direction, for every connection through it; and it counts the bytes that cross it. Used to
//! compare sync protocols on the same 2G-like link.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Instant;

#[derive(Clone)]
pub struct Throttle {
    pub addr: SocketAddr,
    up: Arc<AtomicU64>,
    down: Arc<AtomicU64>,
}

impl Throttle {
    /// Relays to `upstream` with `one_way` delay and `bits_per_second` in each direction.
    pub async fn start(upstream: SocketAddr, one_way: Duration, bits_per_second: u64) -> Throttle {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind throttle");
        let addr = listener.local_addr().expect("address");
        let (up, down) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
        let (u, d) = (up.clone(), down.clone());
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let (u, d) = (u.clone(), d.clone());
                tokio::spawn(async move {
                    let Ok(server) = TcpStream::connect(upstream).await else { return };
                    let _ = client.set_nodelay(true);
                    let _ = server.set_nodelay(true);
                    let (cr, cw) = client.into_split();
                    let (sr, sw) = server.into_split();
                    tokio::join!(pump(cr, sw, one_way, bits_per_second, u), pump(sr, cw, one_way, bits_per_second, d));
                });
            }
        });
        Throttle { addr, up, down }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Bytes that went up (towards the server) and down, since the last reset.
    pub fn bytes(&self) -> (u64, u64) {
        (self.up.load(Ordering::SeqCst), self.down.load(Ordering::SeqCst))
    }

    pub fn reset(&self) {
        self.up.store(0, Ordering::SeqCst);
        self.down.store(0, Ordering::SeqCst);
    }
}

/// Copies one direction, releasing each chunk when the emulated link would have delivered it.
async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    to: tokio::net::tcp::OwnedWriteHalf,
    one_way: Duration,
    bits_per_second: u64,
    counter: Arc<AtomicU64>,
) {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(Instant, Vec<u8>)>();
    let writer = tokio::spawn(async move {
        let mut to = to;
        while let Some((at, bytes)) = rx.recv().await {
            tokio::time::sleep_until(at).await;
            if to.write_all(&bytes).await.is_err() {
                break;
            }
        }
        let _ = to.shutdown().await;
    });
    let mut link_free = Instant::now();
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        counter.fetch_add(n as u64, Ordering::SeqCst);
        let transmit = Duration::from_secs_f64(n as f64 * 8.0 / bits_per_second as f64);
        link_free = link_free.max(Instant::now()) + transmit;
        if tx.send((link_free + one_way, buf[..n].to_vec())).is_err() {
            break;
        }
    }
    drop(tx);
    let _ = writer.await;
}
