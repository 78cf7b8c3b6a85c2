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
import vn.sotay.app.logic.Navigator
import vn.sotay.app.logic.Screen
import vn.sotay.app.logic.Words
import vn.sotay.app.logic.label
import vn.sotay.core.Lang
import vn.sotay.core.RecordKind
import vn.sotay.core.Store
import vn.sotay.core.dateText

/** A record: its title, deadlines, "edit", and its history (who changed what, when). */
@Composable
fun RecordScreen(store: Store, lang: Lang, id: String, navigator: Navigator) {
    val record = remember(id) { runCatching { store.record(id) }.getOrNull() }
    val lines = remember(id) { runCatching { HistoryModel(store, lang).lines(id) }.getOrDefault(emptyList()) }
    LazyColumn(Modifier.padding(16.dp)) {
        item {
            Text(record?.title ?: "", style = MaterialTheme.typography.headlineSmall)
            Text(record?.kind?.label(lang) ?: "", style = MaterialTheme.typography.labelLarge)
            record?.deadlines?.forEach { d ->
                Text("${Words.of(lang, "Hạn", "Due")} ${dateText(d.deadline.due, lang)}${if (d.deadline.met) " ✓" else ""}",
                    color = if (d.overdue) MaterialTheme.colorScheme.error else MaterialTheme.colorScheme.onSurface)
            }
            // What each village meeting item's votes decide, in words (the core computes it).
            record?.outcomes?.forEach { o -> Text(if (lang == Lang.EN) o.en else o.vi) }
            if (record != null && record.deleted == null) {
                BigButton(Words.of(lang, "Sửa hồ sơ", "Edit")) { navigator.go(Screen.Edit(record.kind, id)) }
            }
        }
        if (record?.kind == RecordKind.MEDIATION) item { AttachmentsSection(store, id, lang) }
        item { Text(Words.of(lang, "Lịch sử thay đổi", "History"), style = MaterialTheme.typography.titleLarge, modifier = Modifier.padding(top = 16.dp)) }
        items(lines) { h ->
            Text("${h.author} — ${h.deviceTime}${h.serverTime?.let { " (" + Words.of(lang, "máy chủ nhận ", "server ") + it + ")" } ?: ""}", style = MaterialTheme.typography.titleSmall)
            h.changes.forEach { Text(it) }
        }
    }
}
