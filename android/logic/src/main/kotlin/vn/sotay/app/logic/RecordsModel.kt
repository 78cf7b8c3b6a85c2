package vn.sotay.app.logic

import vn.sotay.core.dateText
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import vn.sotay.core.Lang
import vn.sotay.core.RecordFilter
import vn.sotay.core.RecordKind
import vn.sotay.core.RecordSummary
import vn.sotay.core.Store
import vn.sotay.core.StoreListener

/** A line of a list of records. */
data class RecordLine(val id: String, val title: String, val kind: String, val date: String, val due: String, val overdue: Boolean, val conflict: Boolean)

/** What the list screen shows and is filtered by. */
data class RecordsState(
    val query: String = "",
    val kind: RecordKind? = null,
    val overdueOnly: Boolean = false,
    val lines: List<RecordLine> = emptyList(),
)

/**
 * The list of records of one kind or all, with search that ignores case and diacritics (the
 * library folds "dat dai" and "Đất đai" alike) and filters; follows the store's changes.
 */
class RecordsModel(private val store: Store, private val lang: Lang = Lang.VI) : AutoCloseable {
    private val mutable = MutableStateFlow(RecordsState())
    val state: StateFlow<RecordsState> = mutable
    private val subscription = store.subscribe(object : StoreListener {
        override fun onChange(ids: List<String>) = reload()
    })

    init {
        reload()
    }

    fun search(query: String) = update(mutable.value.copy(query = query))
    fun kind(kind: RecordKind?) = update(mutable.value.copy(kind = kind))
    fun overdueOnly(on: Boolean) = update(mutable.value.copy(overdueOnly = on))

    private fun update(next: RecordsState) {
        mutable.value = next
        reload()
    }

    fun reload() {
        val s = mutable.value
        val filter = RecordFilter(kinds = listOfNotNull(s.kind), unit = null, status = null, from = null, to = null,
            overdue = s.overdueOnly, includeDeleted = false, limit = 500u)
        val rows: List<RecordSummary> = if (s.query.isBlank()) store.list(filter) else store.search(s.query, filter)
        mutable.value = s.copy(lines = rows.map {
            RecordLine(it.id, it.title, it.kind.label(lang), dateText(it.eventDate, lang), dateText(it.nextDue, lang), it.overdue, it.conflicts > 0)
        })
    }

    override fun close() = subscription.cancel()
}
