package vn.sotay.app.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedCard
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import vn.sotay.app.logic.ConflictsModel
import vn.sotay.app.logic.Words
import vn.sotay.core.Lang
import vn.sotay.core.Store

/** Both values side by side with their authors; one tap keeps one. */
@Composable
fun ConflictsScreen(store: Store, lang: Lang) {
    val model = remember(store) { ConflictsModel(store, lang) }
    var cards by remember { mutableStateOf(model.cards()) }
    LazyColumn(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
        if (cards.isEmpty()) item { Text(Words.of(lang, "Không có xung đột nào.", "No conflicts.")) }
        items(cards) { card ->
            Column {
                Text("${card.kind}: ${card.field}", style = MaterialTheme.typography.titleMedium)
                Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                    card.sides.forEach { side ->
                        OutlinedCard(onClick = { model.choose(card, side); cards = model.cards() }, modifier = Modifier.weight(1f)) {
                            Column(Modifier.padding(12.dp)) {
                                Text(side.text, style = MaterialTheme.typography.titleLarge)
                                Text("${side.author}, ${side.when_}")
                                Text(Words.of(lang, "Chọn giá trị này", "Keep this"), color = MaterialTheme.colorScheme.primary)
                            }
                        }
                    }
                }
            }
        }
    }
}
