package vn.sotay.app.logic

import vn.sotay.core.instantText
import vn.sotay.core.Lang
import vn.sotay.core.Store
import vn.sotay.core.fieldLabel
import vn.sotay.core.fieldValueText

/** One change of a record: who, when (the phone's clock, and the server's once synced), what. */
data class HistoryLine(val author: String, val deviceTime: String, val serverTime: String?, val changes: List<String>)

class HistoryModel(private val store: Store, private val lang: Lang = Lang.VI) {
    fun lines(recordId: String): List<HistoryLine> = store.history(recordId).map { e ->
        HistoryLine(
            author = e.author.user,
            deviceTime = instantText(e.deviceTime, lang),
            serverTime = e.serverTime?.let { instantText(it, lang) },
            // List items' ids are for merging, not for reading.
            changes = e.fields.filterNot { it.path.endsWith(".id") }.map {
                "${fieldLabel(it.path, lang)}: ${fieldValueText(it.path, it.from, lang)} → ${fieldValueText(it.path, it.to, lang)}"
            },
        )
    }
}
