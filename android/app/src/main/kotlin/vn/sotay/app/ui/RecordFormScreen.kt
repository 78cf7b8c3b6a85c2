package vn.sotay.app.ui

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.imePadding
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.foundation.selection.selectable
import androidx.compose.foundation.selection.toggleable
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.material3.Checkbox
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.RadioButton
import androidx.compose.material3.Switch
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.DisposableEffect
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.semantics.Role
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.unit.dp
import vn.sotay.app.logic.RecordFormModel
import vn.sotay.app.logic.SaveResult
import vn.sotay.app.logic.Words
import vn.sotay.app.logic.label
import vn.sotay.core.FormRow
import vn.sotay.core.Lang
import vn.sotay.core.RowKind

/**
 * The create/edit form of every kind of record: the rows the core describes (headings, fields,
 * list items with "add" and "remove"), drawn one after the other. Nothing here knows a kind.
 */
@Composable
fun RecordFormScreen(model: RecordFormModel, lang: Lang, saved: (String) -> Unit) {
    DisposableEffect(model) { onDispose { model.close() } }
    val state by model.state.collectAsState()
    var problem by remember { mutableStateOf<String?>(null) }
    LazyColumn(Modifier.padding(horizontal = 16.dp).imePadding()) {
        item { Text(model.kind.label(lang), style = MaterialTheme.typography.headlineSmall, modifier = Modifier.padding(vertical = 12.dp)) }
        // Keyed by path and structure version: when items move, fields forget what they held.
        items(state.rows, key = { "${state.version}:${it.path}:${it.kind}" }) { row ->
            Column(Modifier.padding(start = (row.depth.toInt() * 12).dp, top = 4.dp, bottom = 4.dp)) { FormRowView(model, row, lang) }
        }
        item {
            problem?.let { Text(it, color = MaterialTheme.colorScheme.error, modifier = Modifier.padding(vertical = 8.dp)) }
            BigButton(Words.of(lang, "Lưu", "Save")) {
                problem = when (val result = model.save()) {
                    is SaveResult.Saved -> { saved(result.id); null }
                    is SaveResult.Invalid -> Words.of(lang, "Có ${result.errors.size} mục cần sửa (ghi màu đỏ).", "${result.errors.size} fields need fixing (in red).")
                    is SaveResult.Failed -> result.message
                }
            }
        }
    }
}

@Composable
private fun FormRowView(model: RecordFormModel, row: FormRow, lang: Lang) {
    when (row.kind) {
        RowKind.SECTION -> {
            HorizontalDivider()
            Text(row.label, style = MaterialTheme.typography.titleMedium, modifier = Modifier.padding(top = 8.dp))
        }
        RowKind.LIST -> Row(verticalAlignment = Alignment.CenterVertically) {
            Text(row.label, style = MaterialTheme.typography.titleMedium, modifier = Modifier.weight(1f))
            TextButton({ model.addItem(row.path) }, Modifier.heightIn(min = 48.dp)) { Text(Words.of(lang, "+ Thêm", "+ Add")) }
        }
        RowKind.ITEM -> Row(verticalAlignment = Alignment.CenterVertically) {
            Text(row.label, style = MaterialTheme.typography.titleSmall, modifier = Modifier.weight(1f))
            TextButton({ model.removeItem(row.path) }, Modifier.heightIn(min = 48.dp)) { Text(Words.of(lang, "Xóa", "Remove")) }
        }
        RowKind.TEXT, RowKind.LONG_TEXT, RowKind.DATE, RowKind.COUNT -> Row(verticalAlignment = Alignment.CenterVertically) {
            OutlinedTextField(
                value = model.textOf(row),
                onValueChange = { model.setText(row.path, it) },
                // A star marks what the record cannot be saved without.
                label = { Text(if (row.required) "${row.label} *" else row.label) },
                placeholder = if (row.kind == RowKind.DATE) ({ Text("DD/MM/YYYY") }) else null,
                isError = row.problem != null,
                supportingText = row.problem?.let { p -> { Text(p) } },
                singleLine = row.kind != RowKind.LONG_TEXT,
                minLines = if (row.kind == RowKind.LONG_TEXT) 3 else 1,
                keyboardOptions = KeyboardOptions(
                    // Dates need '/', which number pads lack.
                    keyboardType = if (row.kind == RowKind.COUNT) KeyboardType.Number else KeyboardType.Text,
                ),
                modifier = Modifier.weight(1f),
            )
            if (row.removable) TextButton({ model.removeItem(row.path) }, Modifier.heightIn(min = 48.dp)) { Text(Words.of(lang, "Xóa", "Remove")) }
        }
        RowKind.FLAG -> Row(
            Modifier.fillMaxWidth().heightIn(min = 48.dp).toggleable(row.on, role = Role.Switch) { model.setFlag(row.path, it) },
            verticalAlignment = Alignment.CenterVertically,
        ) {
            Text(row.label, modifier = Modifier.weight(1f))
            Switch(checked = row.on, onCheckedChange = null)
        }
        // Radio buttons and check boxes, not dropdowns: every option visible, each a large target.
        RowKind.CHOICE -> OptionRows(row, Role.RadioButton) { model.choose(row.path, it) }
        RowKind.CHOICES -> OptionRows(row, Role.Checkbox) { model.toggle(row.path, it) }
    }
}

/** A choice's options, one row each: a radio button or a check box, the whole row a target. */
@Composable
private fun OptionRows(row: FormRow, role: Role, pick: (String) -> Unit) = Column {
    Text(row.label, style = MaterialTheme.typography.labelLarge)
    row.options.forEach { option ->
        Row(
            Modifier.fillMaxWidth().heightIn(min = 48.dp).selectable(option.selected, role = role) { pick(option.code) },
            verticalAlignment = Alignment.CenterVertically,
        ) {
            if (role == Role.RadioButton) RadioButton(selected = option.selected, onClick = null)
            else Checkbox(checked = option.selected, onCheckedChange = null)
            Text(option.label, modifier = Modifier.padding(start = 8.dp))
        }
    }
    row.problem?.let { Text(it, color = MaterialTheme.colorScheme.error) }
}
