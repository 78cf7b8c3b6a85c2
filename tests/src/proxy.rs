//! A TCP proxy between devices and the server that injects faults into HTTP exchanges: refused
//! connections, requests cut in the middle, responses cut in the middle (the server did the work,
//! the device never heard), long delays, and requests delivered twice.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::{RngExt, SeedableRng};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Forward faithfully.
    None,
    /// Close the connection without forwarding anything.
    Refuse,
    /// Forward half of the request, then close both sides.
    CutRequest,
    /// Forward the request, then only half of the response, then close.
    CutResponse,
    /// Wait this long before forwarding.
    Delay(Duration),
    /// Deliver the request twice; answer with the second response.
    Duplicate,
}

struct Plan {
    upstream: SocketAddr,
    rng: rand::rngs::StdRng,
    /// Probability that an exchange meets a fault (chosen at random among the faults).
    fault_rate: f64,
    delay: Duration,
    faults_injected: u64,
}

#[derive(Clone)]
pub struct FaultProxy {
    pub addr: SocketAddr,
    plan: Arc<Mutex<Plan>>,
}

impl FaultProxy {
    /// Starts a proxy to `upstream` on the current tokio runtime.
    pub async fn start(upstream: SocketAddr) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let addr = listener.local_addr().expect("proxy address");
        let plan = Arc::new(Mutex::new(Plan {
            upstream,
            rng: rand::rngs::StdRng::seed_from_u64(1),
            fault_rate: 0.0,
            delay: Duration::from_millis(1500),
            faults_injected: 0,
        }));
        let p = plan.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let p = p.clone();
                tokio::spawn(async move {
                    let _ = serve(client, p).await;
                });
            }
        });
        FaultProxy { addr, plan }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn set_upstream(&self, upstream: SocketAddr) {
        self.lock().upstream = upstream;
    }

    /// From now on, each exchange meets a random fault with probability `rate`.
    pub fn set_faults(&self, rate: f64, seed: u64) {
        let mut p = self.lock();
        p.fault_rate = rate;
        p.rng = rand::rngs::StdRng::seed_from_u64(seed);
    }

    /// How long a delayed exchange waits.
    pub fn set_delay(&self, delay: Duration) {
        self.lock().delay = delay;
    }

    pub fn faults_injected(&self) -> u64 {
        self.lock().faults_injected
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Plan> {
        self.plan.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn pick(plan: &Arc<Mutex<Plan>>) -> (Fault, SocketAddr) {
    let mut p = plan.lock().unwrap_or_else(|e| e.into_inner());
    let upstream = p.upstream;
    let rate = p.fault_rate.min(1.0);
    if rate <= 0.0 || !p.rng.random_bool(rate) {
        return (Fault::None, upstream);
    }
    p.faults_injected += 1;
    let delay = p.delay;
    let fault = match p.rng.random_range(0..5) {
        0 => Fault::Refuse,
        1 => Fault::CutRequest,
        2 => Fault::CutResponse,
        3 => Fault::Delay(delay),
        _ => Fault::Duplicate,
    };
    (fault, upstream)
}

/// Reads one HTTP/1.1 message (headers and a Content-Length body). `None` at a clean end.
async fn read_message(stream: &mut TcpStream) -> std::io::Result<Option<Vec<u8>>> {
    let mut buf = Vec::new();
    let mut byte = [0u8; 4096];
    let header_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = stream.read(&mut byte).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&byte[..n]);
    };
    let headers = String::from_utf8_lossy(&buf[..header_end]).to_ascii_lowercase();
    let length: usize = headers
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    while buf.len() < header_end + length {
        let n = stream.read(&mut byte).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&byte[..n]);
    }
    Ok(Some(buf))
}

async fn exchange(upstream: SocketAddr, request: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut up = TcpStream::connect(upstream).await?;
    up.write_all(request).await?;
    read_message(&mut up).await?.ok_or_else(|| std::io::ErrorKind::UnexpectedEof.into())
}

async fn serve(mut client: TcpStream, plan: Arc<Mutex<Plan>>) -> std::io::Result<()> {
    while let Some(request) = read_message(&mut client).await? {
        let (fault, upstream) = pick(&plan);
        match fault {
            Fault::Refuse => return Ok(()),
            Fault::CutRequest => {
                let mut up = TcpStream::connect(upstream).await?;
                up.write_all(&request[..request.len() / 2]).await?;
                return Ok(());
            }
            Fault::CutResponse => {
                let response = exchange(upstream, &request).await?;
                client.write_all(&response[..response.len() / 2]).await?;
                return Ok(());
            }
            Fault::Delay(d) => {
                tokio::time::sleep(d).await;
                let response = exchange(upstream, &request).await?;
                client.write_all(&response).await?;
            }
            Fault::Duplicate => {
                let _ = exchange(upstream, &request).await?;
                let response = exchange(upstream, &request).await?;
                client.write_all(&response).await?;
            }
            Fault::None => {
                let response = exchange(upstream, &request).await?;
                client.write_all(&response).await?;
            }
        }
    }
    Ok(())
}
