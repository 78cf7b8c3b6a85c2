package vn.sotay.app.logic

import vn.sotay.core.FieldProblem
import vn.sotay.core.Lang
import vn.sotay.core.SotayException

/**
 * A form's messages by field: the library names the field at fault (`attendance.women`,
 * `agenda.0.votes_for`) and gives the message in each language; the form shows the user's.
 */
object FormErrors {
    fun byField(e: SotayException.InvalidInput, lang: Lang = Lang.VI): Map<String, String> =
        e.fields.associate { it.path to it.inLanguage(lang) }
}

/** The problem in the user's language. */
fun FieldProblem.inLanguage(lang: Lang): String = if (lang == Lang.VI) vi else en
