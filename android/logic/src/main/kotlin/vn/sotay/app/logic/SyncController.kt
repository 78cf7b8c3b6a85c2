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
import vn.sotay.core.SyncReport
import vn.sotay.core.instantText

data class SyncUiState(
    val running: Boolean = false,
    val recordsSent: Long = 0,
    val recordsReceived: Long = 0,
    val bytes: Long = 0,
    /** The last failure in plain words, or null after a success. */
    val problem: String? = null,
    val lastDone: String? = null,
)

/** "Sync now", its progress and its last error, for the sync screen and the scheduler. */
class SyncController(private val store: Store, private val scope: CoroutineScope, private val lang: Lang = Lang.VI) {
    private val mutable = MutableStateFlow(SyncUiState())
    val state: StateFlow<SyncUiState> = mutable
    private var cancel: SyncCancel? = null

    fun syncNow(): Job = scope.launch {
        if (mutable.value.running) return@launch
        val handle = SyncCancel()
        cancel = handle
        mutable.value = mutable.value.copy(running = true, problem = null)
        val listener = object : SyncListener {
            override fun onProgress(report: SyncReport) {
                mutable.value = mutable.value.copy(
                    recordsSent = report.pushedChanges.toLong(),
                    recordsReceived = report.receivedChanges.toLong(),
                    bytes = (report.bytesSent + report.bytesReceived).toLong(),
                )
            }
        }
        mutable.value = try {
            val report = store.sync(listener, handle)
            mutable.value.copy(
                running = false,
                recordsSent = report.pushedChanges.toLong(),
                recordsReceived = report.receivedChanges.toLong(),
                bytes = (report.bytesSent + report.bytesReceived).toLong(),
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
