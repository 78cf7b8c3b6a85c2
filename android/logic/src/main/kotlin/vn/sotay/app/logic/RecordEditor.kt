package vn.sotay.app.logic

import vn.sotay.core.Lang
import vn.sotay.core.RecordBody
import vn.sotay.core.SotayException
import vn.sotay.core.Store

/** What saving a form came to. */
sealed class SaveResult {
    data class Saved(val id: String) : SaveResult()
    /** Messages by field path, for the form to show under each field; nothing was saved. */
    data class Invalid(val errors: Map<String, String>) : SaveResult()
    data class Failed(val message: String) : SaveResult()
}

/**
 * Saving a record's form: the form builds the typed body (Dialogue, MediationCase, ...), the
 * library checks it against the law's rules and says which field is wrong.
 */
class RecordEditor(private val store: Store, private val lang: Lang = Lang.VI) {
    fun save(unit: String, id: String?, body: RecordBody): SaveResult = try {
        if (id == null) SaveResult.Saved(store.createRecord(unit, body))
        else {
            store.updateRecord(id, body)
            SaveResult.Saved(id)
        }
    } catch (e: SotayException.InvalidInput) {
        SaveResult.Invalid(FormErrors.byField(e, lang))
    } catch (e: SotayException) {
        SaveResult.Failed(Words.problem(e, lang))
    }
}
