package vn.sotay.app.logic

import vn.sotay.core.Lang
import vn.sotay.core.SotayException

/**
 * A form's messages by field: the library names the field at fault (`attendance.women`,
 * `agenda.0.votes_for`), the form shows the message under it. Messages come in both languages
 * ("… / …"); the form shows the user's half.
 */
object FormErrors {
    fun byField(e: SotayException.InvalidInput, lang: Lang = Lang.VI): Map<String, String> =
        e.fields.associate { it.path to half(it.message, lang) }

    /** The Vietnamese or English half of a bilingual message. */
    fun half(message: String, lang: Lang): String {
        val parts = message.split(" / ", limit = 2)
        return if (parts.size == 2) (if (lang == Lang.VI) parts[0] else parts[1]) else message
    }
}
