package vn.sotay.app.ui

import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.remember
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import vn.sotay.app.logic.HistoryModel
import vn.sotay.app.logic.Words
import vn.sotay.core.Lang
import vn.sotay.core.Store

/** A record's history: who changed what, from what, to what, when. (The forms per kind: to do.) */
@Composable
fun RecordScreen(store: Store, lang: Lang, id: String) {
    val title = remember(id) { runCatching { store.record(id) }.getOrNull() }
    val lines = remember(id) { HistoryModel(store, lang).lines(id) }
    LazyColumn(Modifier.padding(16.dp)) {
        item { Text(title?.let { "${it.id.take(8)} · ${it.unit}" } ?: "", style = MaterialTheme.typography.labelMedium) }
        item { Text(Words.of(lang, "Lịch sử thay đổi", "History"), style = MaterialTheme.typography.headlineSmall) }
        items(lines) { h ->
            Text("${h.author} — ${h.deviceTime}${h.serverTime?.let { " (" + Words.of(lang, "máy chủ nhận ", "server ") + it + ")" } ?: ""}", style = MaterialTheme.typography.titleSmall)
            h.changes.forEach { Text(it) }
        }
    }
}
