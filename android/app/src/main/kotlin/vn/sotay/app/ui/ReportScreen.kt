package vn.sotay.app.ui

import android.content.Intent
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.unit.dp
import vn.sotay.app.logic.ReportModel
import vn.sotay.app.logic.Words
import vn.sotay.core.Lang
import vn.sotay.core.Store

/** The unit's report, computed on the phone; shared as text (Zalo, SMS, e-mail). */
@Composable
fun ReportScreen(store: Store, lang: Lang) {
    val model = remember(store) { ReportModel(store, lang) }
    var period by remember { mutableStateOf("2026-Q3") }
    val screen = remember(period) { runCatching { model.load(period) }.getOrNull() }
    val context = LocalContext.current
    LazyColumn(Modifier.padding(16.dp)) {
        item {
            OutlinedTextField(period, { period = it.trim() }, label = { Text(Words.of(lang, "Kỳ (2026-Q3, 2026-H1, 2026)", "Period (2026-Q3, 2026-H1, 2026)")) }, modifier = Modifier.fillMaxWidth())
        }
        if (screen == null) item { Text(Words.of(lang, "Kỳ báo cáo không đúng dạng.", "That is not a period."), color = MaterialTheme.colorScheme.error) }
        screen?.let { s ->
            item { Text(s.title, style = MaterialTheme.typography.headlineSmall); Text(s.subtitle) }
            items(s.warnings) { Text(it, color = MaterialTheme.colorScheme.error) }
            s.blocks.forEach { block ->
                item { Text(block.title, style = MaterialTheme.typography.titleMedium, modifier = Modifier.padding(top = 12.dp)) }
                items(block.lines) { line -> Row { Text(line.label, Modifier.weight(1f)); Text(line.value) } }
            }
            item {
                BigButton(Words.of(lang, "Chia sẻ", "Share")) {
                    val send = Intent(Intent.ACTION_SEND).setType("text/plain").putExtra(Intent.EXTRA_TEXT, model.shareText(s))
                    context.startActivity(Intent.createChooser(send, null))
                }
            }
        }
    }
}
