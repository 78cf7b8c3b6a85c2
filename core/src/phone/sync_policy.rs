//! When to sync. The scheduler (WorkManager on Android, background tasks on iOS) asks with what
//! it knows and does what it is told. A failed sync backs off exponentially from 30 s to 30 min,
//! so a phone on a failing 2G link does not drain its battery and prepaid data; a person pressing
//! "sync now" is never made to wait. Attachments wait for an unmetered network unless the user
//! allows mobile data.

use crate::time::Millis;

/// What the phone knows of its connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NetworkState {
    pub connected: bool,
    pub metered: bool,
}

/// The user's choices about sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncSettings {
    /// Send attachments over mobile data too (off: only on Wi-Fi).
    pub attachments_on_metered: bool,
    /// How often to look for others' changes when nothing waits to be sent.
    pub pull_every_ms: Millis,
}

impl Default for SyncSettings {
    fn default() -> Self {
        SyncSettings { attachments_on_metered: false, pull_every_ms: 30 * MINUTE }
    }
}

/// Where sync stands when the scheduler asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SyncMoment {
    /// Local changes not yet sent.
    pub pending: u64,
    /// When the last sync completed (this device's clock: only compared with itself).
    pub last_sync_at: Option<Millis>,
    pub failures_in_a_row: u32,
    pub last_attempt_at: Option<Millis>,
    pub now: Millis,
    /// A person asked ("sync now").
    pub manual: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncDecision {
    /// Sync now; send attachments only when `with_attachments`.
    Now { with_attachments: bool },
    /// Ask again after this long.
    Later { after_ms: Millis },
    /// No connection: wait for one (the platform's network constraint or path monitor).
    WaitForNetwork,
}

const MINUTE: Millis = 60_000;
const FIRST_BACKOFF: Millis = 30_000;
const MAX_BACKOFF: Millis = 30 * MINUTE;

/// How long to wait after `failures_in_a_row` failures (none: no wait).
pub fn backoff_ms(failures_in_a_row: u32) -> Millis {
    match failures_in_a_row {
        0 => 0,
        n => (FIRST_BACKOFF << (n - 1).min(16)).min(MAX_BACKOFF),
    }
}

pub fn decide(settings: SyncSettings, network: NetworkState, at: SyncMoment) -> SyncDecision {
    if !network.connected {
        return SyncDecision::WaitForNetwork;
    }
    let now = SyncDecision::Now { with_attachments: !network.metered || settings.attachments_on_metered };
    if at.manual {
        return now;
    }
    if let Some(last) = at.last_attempt_at {
        // A clock set back makes `elapsed` negative: wait the backoff, not longer.
        let elapsed = at.now.saturating_sub(last).max(0);
        let wait = backoff_ms(at.failures_in_a_row);
        if elapsed < wait {
            return SyncDecision::Later { after_ms: wait - elapsed };
        }
    }
    if at.pending > 0 {
        return now;
    }
    match at.last_sync_at {
        Some(last) if (0..settings.pull_every_ms).contains(&at.now.saturating_sub(last)) => {
            SyncDecision::Later { after_ms: settings.pull_every_ms - at.now.saturating_sub(last) }
        }
        _ => now,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: Millis = 1_780_000_000_000;
    const WIFI: NetworkState = NetworkState { connected: true, metered: false };
    const MOBILE: NetworkState = NetworkState { connected: true, metered: true };

    fn at(pending: u64, last_sync_at: Option<Millis>, failures: u32, last_attempt_at: Option<Millis>) -> SyncMoment {
        SyncMoment { pending, last_sync_at, failures_in_a_row: failures, last_attempt_at, now: NOW, manual: false }
    }

    #[test]
    fn waits_for_a_network() {
        let off = NetworkState { connected: false, metered: false };
        assert_eq!(decide(SyncSettings::default(), off, at(5, None, 0, None)), SyncDecision::WaitForNetwork);
        let manual = SyncMoment { manual: true, ..at(5, None, 0, None) };
        assert_eq!(decide(SyncSettings::default(), off, manual), SyncDecision::WaitForNetwork);
    }

    #[test]
    fn attachments_wait_for_wifi_unless_allowed() {
        let s = SyncSettings::default();
        assert_eq!(decide(s, WIFI, at(1, Some(NOW), 0, None)), SyncDecision::Now { with_attachments: true });
        assert_eq!(decide(s, MOBILE, at(1, Some(NOW), 0, None)), SyncDecision::Now { with_attachments: false });
        let allowed = SyncSettings { attachments_on_metered: true, ..s };
        assert_eq!(decide(allowed, MOBILE, at(1, Some(NOW), 0, None)), SyncDecision::Now { with_attachments: true });
    }

    #[test]
    fn backs_off_after_failures_but_not_for_a_person() {
        assert_eq!([0, 1, 2, 3].map(backoff_ms), [0, 30_000, 60_000, 120_000]);
        assert_eq!(backoff_ms(7), 30 * MINUTE);
        assert_eq!(backoff_ms(u32::MAX), 30 * MINUTE);
        let s = SyncSettings::default();
        let failing = at(3, None, 2, Some(NOW - 10_000));
        assert_eq!(decide(s, WIFI, failing), SyncDecision::Later { after_ms: 50_000 });
        assert_eq!(
            decide(s, WIFI, SyncMoment { manual: true, ..failing }),
            SyncDecision::Now { with_attachments: true }
        );
        // A clock set back by an hour does not stretch the wait.
        let clock_back = at(3, None, 1, Some(NOW + 60 * MINUTE));
        assert_eq!(decide(s, WIFI, clock_back), SyncDecision::Later { after_ms: 30_000 });
    }

    #[test]
    fn pulls_every_half_hour_when_nothing_is_pending() {
        let s = SyncSettings::default();
        assert_eq!(
            decide(s, WIFI, at(0, Some(NOW - 10 * MINUTE), 0, None)),
            SyncDecision::Later { after_ms: 20 * MINUTE }
        );
        assert_eq!(
            decide(s, WIFI, at(0, Some(NOW - 31 * MINUTE), 0, None)),
            SyncDecision::Now { with_attachments: true }
        );
        assert_eq!(decide(s, WIFI, at(0, None, 0, None)), SyncDecision::Now { with_attachments: true });
        // A last sync "in the future" (the clock moved back) is not trusted: sync.
        assert_eq!(decide(s, WIFI, at(0, Some(NOW + MINUTE), 0, None)), SyncDecision::Now { with_attachments: true });
    }
}
