package vn.sotay.app.logic

import vn.sotay.core.Lang
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch
import vn.sotay.core.SotayException
import vn.sotay.core.Store
import vn.sotay.core.SyncCancel
import vn.sotay.core.SyncListener
import vn.sotay.core.NetworkState
import vn.sotay.core.SyncDecision
import vn.sotay.core.SyncMoment
import vn.sotay.core.SyncReport
import vn.sotay.core.SyncSettings
import vn.sotay.core.syncDecision
import vn.sotay.core.instantText

data class SyncUiState(
    val running: Boolean = false,
    val recordsSent: Long = 0,
    val recordsReceived: Long = 0,
    val bytes: Long = 0,
    /// Files attached to records, sent and received.
    val filesSent: Long = 0,
    val filesReceived: Long = 0,
    /// Files that wait for Wi-Fi (or for the user to allow mobile data).
    val filesWaiting: Long = 0,
    /** The last failure in plain words, or null after a success. */
    val problem: String? = null,
    val lastDone: String? = null,
)

/**
 * "Sync now", its progress and its last error, for the sync screen. Whether files go too is the
 * core's policy, asked with what the phone sees of its network and the user's setting.
 */
class SyncController(
    private val store: Store,
    private val scope: CoroutineScope,
    private val lang: Lang = Lang.VI,
    private val network: () -> NetworkState = { NetworkState(connected = true, metered = false) },
    private val settings: () -> SyncSettings = { SyncSettings() },
) {
    private val mutable = MutableStateFlow(SyncUiState())
    val state: StateFlow<SyncUiState> = mutable
    private var cancel: SyncCancel? = null

    fun syncNow(): Job = scope.launch {
        if (mutable.value.running) return@launch
        val decision = syncDecision(settings(), network(), SyncMoment(now = System.currentTimeMillis(), manual = true))
        if (decision !is SyncDecision.Now) {
            mutable.update { it.copy(problem = Words.of(lang, "Chưa có mạng. Dữ liệu vẫn an toàn trên máy, sẽ gửi khi có mạng.", "No connection. Your records are safe on the phone and will be sent when there is one.")) }
            return@launch
        }
        val handle = SyncCancel()
        cancel = handle
        mutable.update { it.copy(running = true, problem = null) }
        // Progress arrives on the library's thread: atomic updates, and none once the sync is over.
        val listener = object : SyncListener {
            override fun onProgress(report: SyncReport) = mutable.update { if (it.running) it.shown(report) else it }
        }
        try {
            val report = store.sync(listener, handle, decision.withAttachments)
            val waiting = store.syncStatus().attachmentsPending.toLong()
            mutable.update { it.shown(report).copy(filesWaiting = waiting, lastDone = instantText(System.currentTimeMillis(), lang)) }
        } catch (e: SotayException) {
            mutable.update { it.copy(problem = Words.problem(e, lang)) }
        } finally {
            mutable.update { it.copy(running = false) }
        }
    }

    private fun SyncUiState.shown(report: SyncReport) = copy(
        recordsSent = report.pushedChanges.toLong(),
        recordsReceived = report.receivedChanges.toLong(),
        bytes = (report.bytesSent + report.bytesReceived).toLong(),
        filesSent = report.attachmentsSent.toLong(),
        filesReceived = report.attachmentsReceived.toLong(),
    )

    fun cancel() {
        cancel?.cancel()
    }
}
