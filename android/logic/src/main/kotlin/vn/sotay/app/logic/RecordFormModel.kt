package vn.sotay.app.logic

import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import vn.sotay.core.FormRow
import vn.sotay.core.Lang
import vn.sotay.core.RecordForm
import vn.sotay.core.RecordKind
import vn.sotay.core.SotayException
import vn.sotay.core.Store

/** What saving a form came to. */
sealed class SaveResult {
    data class Saved(val id: String) : SaveResult()
    /** Messages by field path (also shown under each row); nothing was saved. */
    data class Invalid(val errors: Map<String, String>) : SaveResult()
    data class Failed(val message: String) : SaveResult()
}

/** The form as the screen draws it; [version] changes when items are added or removed. */
data class FormState(val rows: List<FormRow> = emptyList(), val version: Int = 0)

/**
 * The create/edit form of any kind of record. The core's [RecordForm] knows the record's
 * structure (groups, issues raised, parties, agenda items and their votes, recommendations) and
 * reads what is typed; this holds it for the screen, with what the person typed as they typed it
 * (a half-typed date stays as typed; the row shows its problem).
 */
class RecordFormModel private constructor(
    private val store: Store,
    private val unit: String,
    private var id: String?,
    private val form: RecordForm,
    private val lang: Lang,
) : AutoCloseable {
    private val mutable = MutableStateFlow(FormState(form.rows()))
    val state: StateFlow<FormState> = mutable
    private val drafts = mutableMapOf<String, String>()

    val kind: RecordKind get() = form.kind()

    /** The text a field shows: what the person typed, or the record's value. */
    fun textOf(row: FormRow): String = drafts[row.path] ?: row.text

    fun setText(path: String, text: String) {
        drafts[path] = text
        apply { form.setText(path, text) }
    }

    fun setFlag(path: String, on: Boolean) = apply { form.setFlag(path, on) }
    fun choose(path: String, code: String) = apply { form.choose(path, code) }
    fun toggle(path: String, code: String) = apply { form.toggle(path, code) }

    fun addItem(path: String) = restructure { form.addItem(path) }
    fun removeItem(path: String) = restructure { form.removeItem(path) }

    fun save(): SaveResult = try {
        val saved = form.save(store, unit, id)
        id = saved
        drafts.clear()
        SaveResult.Saved(saved)
    } catch (e: SotayException.InvalidInput) {
        SaveResult.Invalid(FormErrors.byField(e, lang))
    } catch (e: SotayException) {
        SaveResult.Failed(Words.problem(e, lang))
    } finally {
        refresh()
    }

    private fun apply(change: () -> Unit) {
        try {
            change()
        } catch (e: SotayException.InvalidInput) {
            // Not an error to report: the row shows the problem under the field.
        }
        refresh()
    }

    private fun restructure(change: () -> Unit) {
        // Items move when one is added or removed: what was typed follows the record again.
        drafts.clear()
        apply(change)
        mutable.value = mutable.value.copy(version = mutable.value.version + 1)
    }

    private fun refresh() {
        mutable.value = mutable.value.copy(rows = form.rows())
    }

    override fun close() = form.close()

    companion object {
        /** A new record of [kind] in [unit]. */
        fun create(store: Store, unit: String, kind: RecordKind, lang: Lang = Lang.VI) =
            RecordFormModel(store, unit, null, RecordForm(kind, lang), lang)

        /** The record [id], to edit. */
        fun edit(store: Store, id: String, lang: Lang = Lang.VI): RecordFormModel {
            val record = store.record(id)
            return RecordFormModel(store, record.unit, id, RecordForm.edit(record.body, lang), lang)
        }
    }
}
