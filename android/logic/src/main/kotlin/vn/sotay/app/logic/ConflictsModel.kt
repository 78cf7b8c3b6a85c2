package vn.sotay.app.logic

import vn.sotay.core.instantText
import vn.sotay.core.FieldValue
import vn.sotay.core.Lang
import vn.sotay.core.Store
import vn.sotay.core.fieldLabel
import vn.sotay.core.fieldValueText

/** One side of a conflict, as the side-by-side screen shows it. */
data class ConflictSide(val value: FieldValue, val text: String, val author: String, val when_: String)

/** A field two people set differently while apart, to settle with one tap. */
data class ConflictCard(val recordId: String, val kind: String, val path: String, val field: String, val sides: List<ConflictSide>)

class ConflictsModel(private val store: Store, private val lang: Lang = Lang.VI) {
    fun cards(): List<ConflictCard> = store.conflicts().flatMap { r ->
        r.conflicts.map { c ->
            ConflictCard(
                recordId = r.id,
                kind = r.kind.label(lang),
                path = c.path,
                field = fieldLabel(c.path, lang),
                sides = c.values.map { v ->
                    ConflictSide(v.value, fieldValueText(c.path, v.value, lang), v.author.user, instantText(v.deviceTime, lang))
                },
            )
        }
    }

    /** Keeps [side]'s value; the choice syncs to everyone like any edit. */
    fun choose(card: ConflictCard, side: ConflictSide) = store.resolveConflict(card.recordId, card.path, side.value)
}
