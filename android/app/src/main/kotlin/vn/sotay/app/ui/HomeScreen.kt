package vn.sotay.app.ui

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.DisposableEffect
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.remember
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import vn.sotay.app.logic.HomeModel
import vn.sotay.app.logic.Navigator
import vn.sotay.app.logic.Screen
import vn.sotay.app.logic.Words
import vn.sotay.app.logic.label
import vn.sotay.core.Lang
import vn.sotay.core.RecordKind
import vn.sotay.core.Store

/** What needs doing, then the kinds of record, then sync and the report. */
@Composable
fun HomeScreen(store: Store, lang: Lang, navigator: Navigator) {
    val model = remember(store) { HomeModel(store, lang) }
    DisposableEffect(model) { onDispose { model.close() } }
    val state by model.state.collectAsState()
    LazyColumn(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(10.dp)) {
        item { Text(Words.of(lang, "Việc cần làm", "To do"), style = MaterialTheme.typography.headlineSmall) }
        items(state.overdue) { d ->
            Text("${d.dueText} — ${d.title}", color = MaterialTheme.colorScheme.error,
                modifier = Modifier.fillMaxWidth().clickable { navigator.go(Screen.Record(d.id)) }.padding(vertical = 8.dp))
        }
        items(state.dueSoon) { d ->
            Text("${d.dueText} — ${d.title}", modifier = Modifier.fillMaxWidth().clickable { navigator.go(Screen.Record(d.id)) }.padding(vertical = 8.dp))
        }
        if (state.conflicts > 0) item {
            BigButton(Words.of(lang, "${state.conflicts} xung đột cần xử lý", "${state.conflicts} conflicts to resolve")) { navigator.go(Screen.Conflicts) }
        }
        item {
            Text(Words.of(lang, "Chờ gửi: ${state.pending} · Lần đồng bộ cuối: ${state.lastSync ?: "chưa có"}",
                "Waiting to send: ${state.pending} · Last sync: ${state.lastSync ?: "never"}"))
        }
        item { BigButton(Words.of(lang, "Đồng bộ", "Sync")) { navigator.go(Screen.Sync) } }
        items(RecordKind.values().toList()) { kind -> BigButton(kind.label(lang)) { navigator.go(Screen.Records(kind)) } }
        item { BigButton(Words.of(lang, "Báo cáo", "Report")) { navigator.go(Screen.Report) } }
    }
}
