package vn.sotay.app.ui

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Checkbox
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.DisposableEffect
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.remember
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import vn.sotay.app.logic.Navigator
import vn.sotay.app.logic.RecordsModel
import vn.sotay.app.logic.Screen
import vn.sotay.app.logic.Words
import vn.sotay.core.Lang
import vn.sotay.core.RecordKind
import vn.sotay.core.Store

@Composable
fun RecordsScreen(store: Store, lang: Lang, kind: RecordKind?, navigator: Navigator) {
    val model = remember(store, kind) { RecordsModel(store, lang).also { it.kind(kind) } }
    DisposableEffect(model) { onDispose { model.close() } }
    val state by model.state.collectAsState()
    Column(Modifier.padding(16.dp)) {
        if (kind != null) BigButton(Words.of(lang, "+ Thêm hồ sơ mới", "+ New record")) { navigator.go(Screen.Edit(kind, null)) }
        OutlinedTextField(state.query, model::search, label = { Text(Words.of(lang, "Tìm (không cần dấu)", "Search (accents optional)")) }, modifier = Modifier.fillMaxWidth())
        Row(verticalAlignment = Alignment.CenterVertically) {
            Checkbox(state.overdueOnly, model::overdueOnly)
            Text(Words.of(lang, "Chỉ hồ sơ quá hạn", "Overdue only"))
        }
        LazyColumn {
            items(state.lines) { line ->
                Column(Modifier.fillMaxWidth().clickable { navigator.go(Screen.Record(line.id)) }.padding(vertical = 12.dp)) {
                    Text(line.title, style = MaterialTheme.typography.titleMedium, color = if (line.overdue) MaterialTheme.colorScheme.error else MaterialTheme.colorScheme.onSurface)
                    Text("${line.kind} · ${line.date}${if (line.due.isNotEmpty()) " · " + Words.of(lang, "hạn ", "due ") + line.due else ""}")
                }
            }
        }
    }
}
