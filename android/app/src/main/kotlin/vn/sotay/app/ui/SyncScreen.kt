package vn.sotay.app.ui

import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.selection.toggleable
import androidx.compose.material3.Switch
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.semantics.Role
import vn.sotay.app.SotayApplication
import vn.sotay.app.SyncWorker

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.LinearProgressIndicator
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import vn.sotay.app.logic.SyncController
import vn.sotay.core.numberText
import vn.sotay.app.logic.Words
import vn.sotay.core.Lang
import vn.sotay.core.Store

@Composable
fun SyncScreen(app: SotayApplication, store: Store, lang: Lang) {
    val scope = rememberCoroutineScope()
    val controller = remember(store) {
        SyncController(store, scope, lang, network = { SyncWorker.currentNetwork(app) }, settings = { app.syncSettings() })
    }
    var filesOnMobileData by remember { mutableStateOf(app.syncSettings().attachmentsOnMetered) }
    val state by controller.state.collectAsState()
    Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
        if (state.running) {
            LinearProgressIndicator()
            BigButton(Words.of(lang, "Dừng", "Stop")) { controller.cancel() }
        } else {
            BigButton(Words.of(lang, "Đồng bộ ngay", "Sync now")) { controller.syncNow() }
        }
        Text(Words.of(lang, "Đã gửi ${state.recordsSent} thay đổi, nhận ${state.recordsReceived}, ${numberText(state.bytes, lang)} byte",
            "Sent ${state.recordsSent} changes, received ${state.recordsReceived}, ${numberText(state.bytes, lang)} bytes"))
        if (state.filesSent + state.filesReceived + state.filesWaiting > 0) {
            Text(Words.of(lang, "Tệp đính kèm: gửi ${state.filesSent}, nhận ${state.filesReceived}, chờ Wi-Fi ${state.filesWaiting}",
                "Attachments: sent ${state.filesSent}, received ${state.filesReceived}, waiting for Wi-Fi ${state.filesWaiting}"))
        }
        Row(
            Modifier.fillMaxWidth().heightIn(min = 48.dp).toggleable(filesOnMobileData, role = Role.Switch) {
                filesOnMobileData = it
                app.setAttachmentsOnMetered(it)
            },
            verticalAlignment = Alignment.CenterVertically,
        ) {
            Text(Words.of(lang, "Gửi tệp đính kèm bằng dữ liệu di động", "Send attachments over mobile data"), Modifier.weight(1f))
            Switch(checked = filesOnMobileData, onCheckedChange = null)
        }
        state.lastDone?.let { Text(Words.of(lang, "Xong lúc $it", "Done at $it")) }
        state.problem?.let { Text(it, color = MaterialTheme.colorScheme.error) }
    }
}
