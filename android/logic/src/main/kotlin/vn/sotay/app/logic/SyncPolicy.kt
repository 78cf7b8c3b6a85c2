package vn.sotay.app.logic

/** What the phone knows of its connection. */
data class NetworkState(val connected: Boolean, val metered: Boolean)

/** The user's choices about sync. */
data class SyncSettings(
    /** Send attachments over mobile data too (off: only on Wi-Fi). */
    val attachmentsOnMetered: Boolean = false,
    /** How often to look for others' changes when nothing waits to be sent. */
    val pullEveryMillis: Long = 30 * 60_000L,
)

sealed class SyncDecision {
    /** Sync now; send attachments only when [withAttachments]. */
    data class Now(val withAttachments: Boolean) : SyncDecision()
    /** Try again after [afterMillis]. */
    data class Later(val afterMillis: Long) : SyncDecision()
    /** No connection: wait for one (WorkManager's network constraint, iOS's path monitor). */
    object WaitForNetwork : SyncDecision()
}

/**
 * When to sync. Pure: the scheduler (WorkManager on Android, background tasks on iOS) asks it
 * with what it knows and does what it says. A failed sync backs off exponentially from 30 s to
 * 30 min, so a phone on a failing 2G link does not drain its battery and prepaid data; a person
 * pressing "sync now" is never made to wait.
 */
class SyncPolicy(private val settings: SyncSettings = SyncSettings()) {
    fun decide(
        network: NetworkState,
        pending: Long,
        lastSyncAt: Long?,
        failuresInARow: Int,
        lastAttemptAt: Long?,
        now: Long,
        manual: Boolean = false,
    ): SyncDecision {
        if (!network.connected) return SyncDecision.WaitForNetwork
        val attachments = !network.metered || settings.attachmentsOnMetered
        if (manual) return SyncDecision.Now(attachments)
        if (failuresInARow > 0 && lastAttemptAt != null) {
            val wait = backoff(failuresInARow)
            val elapsed = now - lastAttemptAt
            if (elapsed < wait) return SyncDecision.Later(wait - elapsed)
        }
        if (pending > 0) return SyncDecision.Now(attachments)
        val since = lastSyncAt?.let { now - it } ?: Long.MAX_VALUE
        return if (since >= settings.pullEveryMillis) SyncDecision.Now(attachments)
        else SyncDecision.Later(settings.pullEveryMillis - since)
    }

    companion object {
        const val FIRST_BACKOFF = 30_000L
        const val MAX_BACKOFF = 30 * 60_000L

        fun backoff(failuresInARow: Int): Long {
            val shift = (failuresInARow - 1).coerceIn(0, 16)
            return (FIRST_BACKOFF shl shift).coerceAtMost(MAX_BACKOFF)
        }
    }
}
