//! Prometheus metrics (`/metrics`): requests by route and status, sync latency, bytes and
//! changes moved. Nothing personal is ever a label.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ReasonLabels {
    pub reason: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    pub route: &'static str,
    pub status: u16,
}

pub struct Metrics {
    registry: Registry,
    pub requests: Family<RouteLabels, Counter>,
    pub sync_seconds: Histogram,
    pub bytes_in: Counter,
    pub bytes_out: Counter,
    pub changes_in: Counter,
    pub entries_out: Counter,
    /// Requests refused, by the error code the client got (a bound hit, bad input, busy).
    pub refusals: Family<ReasonLabels, Counter>,
    /// Requests the untrusted pool refused (busy) or whose work panicked.
    pub pool_refusals: Counter,
    pub pool_panics: Gauge,
    pub cache_bytes: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("sotay");
        let requests = Family::<RouteLabels, Counter>::default();
        let sync_seconds = Histogram::new(exponential_buckets(0.0005, 2.0, 16));
        let (bytes_in, bytes_out, changes_in, entries_out) =
            (Counter::default(), Counter::default(), Counter::default(), Counter::default());
        registry.register("http_requests", "HTTP requests by route and status", requests.clone());
        registry.register("sync_duration_seconds", "Time to serve a sync or repair request", sync_seconds.clone());
        registry.register("sync_request_bytes", "Sync request bodies received, compressed", bytes_in.clone());
        registry.register("sync_response_bytes", "Sync response bodies sent, compressed", bytes_out.clone());
        registry.register("sync_changes_received", "Automerge changes received", changes_in.clone());
        registry.register("sync_feed_entries_sent", "Feed entries sent to devices", entries_out.clone());
        let refusals = Family::<ReasonLabels, Counter>::default();
        let (pool_refusals, pool_panics, cache_bytes) = (Counter::default(), Gauge::default(), Gauge::default());
        registry.register("refusals", "Requests refused, by reason", refusals.clone());
        registry.register("pool_refusals", "Requests the untrusted pool refused or failed", pool_refusals.clone());
        registry.register("pool_panics", "Panics caught on the untrusted pool since start", pool_panics.clone());
        registry.register("document_cache_bytes", "Stored bytes of the documents kept loaded", cache_bytes.clone());
        Metrics {
            registry,
            requests,
            sync_seconds,
            bytes_in,
            bytes_out,
            changes_in,
            entries_out,
            refusals,
            pool_refusals,
            pool_panics,
            cache_bytes,
        }
    }
}

impl Metrics {
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }

    pub fn refused(&self, reason: &'static str) {
        self.refused_n(reason, 1);
    }

    pub fn refused_n(&self, reason: &'static str, n: u64) {
        if n > 0 {
            self.refusals.get_or_create(&ReasonLabels { reason }).inc_by(n);
        }
    }

    pub fn set_gauges(&self, cache_bytes: i64, pool_panics: u64) {
        self.cache_bytes.set(cache_bytes);
        self.pool_panics.set(pool_panics as i64);
    }

    pub fn count(&self, route: &'static str, status: u16) {
        self.requests.get_or_create(&RouteLabels { route, status }).inc();
    }
}
