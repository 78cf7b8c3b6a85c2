//! The end-to-end harness: a real `sotay-server` process in a temporary data directory, devices
//! (the same core the phones and the CLI run) syncing with it over loopback, and a TCP proxy that
//! injects faults between them.

pub mod dashboard;
pub mod device;
pub mod postgres;
pub mod proxy;
pub mod server;
pub mod throttle;

pub use device::{Device, two_commune_officials};
pub use proxy::{Fault, FaultProxy};
pub use server::{Backend, TestServer, binary as server_binary};
pub use throttle::Throttle;

/// Xã Lâm Bình, Tỉnh Tuyên Quang.
pub const COMMUNE: &str = "02266";
/// Xã Thượng Lâm, in the same province.
pub const OTHER_COMMUNE: &str = "02269";
/// Tỉnh Tuyên Quang (since 2025-07-01 also the former Hà Giang).
pub const PROVINCE: &str = "08";

/// A plain HTTP client for raw requests (rustls needs its crypto provider first).
pub fn http_client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

/// Posts a sync body by hand with a device's token; the status and the JSON error, if any.
pub async fn post_sync(url: &str, token: &str, body: Vec<u8>) -> (u16, serde_json::Value) {
    let r = http_client()
        .post(format!("{url}/v1/sync"))
        .bearer_auth(token)
        .header("content-type", sotay_core::sync::protocol::CONTENT_TYPE)
        .body(body)
        .send()
        .await
        .expect("request");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or_default())
}
