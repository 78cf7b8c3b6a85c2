package vn.sotay.app.logic

import vn.sotay.core.Lang
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
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
        val handle = SyncCancel()
        cancel = handle
        val decision = syncDecision(settings(), network(), SyncMoment(now = System.currentTimeMillis(), manual = true))
        if (decision !is SyncDecision.Now) {
            mutable.value = mutable.value.copy(problem = Words.of(lang, "Chưa có mạng. Dữ liệu vẫn an toàn trên máy, sẽ gửi khi có mạng.", "No connection. Your records are safe on the phone and will be sent when there is one."))
            return@launch
        }
        mutable.value = mutable.value.copy(running = true, problem = null)
        val listener = object : SyncListener {
            override fun onProgress(report: SyncReport) {
                mutable.value = mutable.value.copy(
                    recordsSent = report.pushedChanges.toLong(),
                    recordsReceived = report.receivedChanges.toLong(),
                    bytes = (report.bytesSent + report.bytesReceived).toLong(),
                    filesSent = report.attachmentsSent.toLong(),
                    filesReceived = report.attachmentsReceived.toLong(),
                )
            }
        }
        mutable.value = try {
            val report = store.sync(listener, handle, decision.withAttachments)
            mutable.value.copy(
                running = false,
                recordsSent = report.pushedChanges.toLong(),
                recordsReceived = report.receivedChanges.toLong(),
                bytes = (report.bytesSent + report.bytesReceived).toLong(),
                filesSent = report.attachmentsSent.toLong(),
                filesReceived = report.attachmentsReceived.toLong(),
                filesWaiting = store.syncStatus().attachmentsPending.toLong(),
                lastDone = instantText(System.currentTimeMillis(), lang),
            )
        } catch (e: SotayException) {
            mutable.value.copy(running = false, problem = Words.problem(e, lang))
        }
    }

    fun cancel() {
        cancel?.cancel()
    }
}
