package vn.sotay.app.logic

import vn.sotay.core.Lang
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import vn.sotay.core.RecordFilter
import vn.sotay.core.Store
import vn.sotay.core.StoreListener
import vn.sotay.core.Subscription
import vn.sotay.core.dateText
import vn.sotay.core.daysBetween
import vn.sotay.core.dueInText
import vn.sotay.core.instantText
import vn.sotay.core.todayInVietnam

/** A record with a deadline, as the home screen lists it. */
data class DueItem(val id: String, val title: String, val kind: String, val due: String, val dueText: String, val overdue: Boolean)

/** What needs doing: deadlines past and near, conflicts to settle, what waits to be sent. */
data class HomeState(
    val overdue: List<DueItem> = emptyList(),
    val dueSoon: List<DueItem> = emptyList(),
    val conflicts: Int = 0,
    val pending: Long = 0,
    val lastSync: String? = null,
    val lastError: String? = null,
)

/**
 * The home screen's state holder. Refreshes itself when the store changes (its own saves or
 * what sync brings), through the library's change subscription; [close] ends that.
 */
class HomeModel(
    private val store: Store,
    private val lang: Lang = Lang.VI,
    /** Today in Vietnam, `YYYY-MM-DD`; tests pass a fixed day. */
    private val today: () -> String = { todayInVietnam(System.currentTimeMillis()) },
    private val soonDays: Long = 7,
) : AutoCloseable {
    private val mutable = MutableStateFlow(HomeState())
    val state: StateFlow<HomeState> = mutable
    private val subscription: Subscription = store.subscribe(object : StoreListener {
        override fun onChange(ids: List<String>) = refresh()
    })

    init {
        refresh()
    }

    fun refresh() {
        val now = today()
        val rows = store.list(RecordFilter(kinds = emptyList(), unit = null, status = null, from = null, to = null, overdue = false, includeDeleted = false, limit = 5000u))
        val due = rows.mapNotNull { r ->
            val next = r.nextDue ?: return@mapNotNull null
            // Overdue against the same day as the rest of the screen (the store's flag uses the
            // clock's day, which a test or a screen left open past midnight does not share).
            val days = daysBetween(now, next)
            days to DueItem(r.id, r.title, r.kind.label(lang), dateText(next, lang), dueInText(next, now, lang), days < 0)
        }
        val status = store.syncStatus()
        mutable.value = HomeState(
            overdue = due.map { it.second }.filter { it.overdue },
            dueSoon = due.filter { (days, item) -> !item.overdue && days <= soonDays }.map { it.second },
            conflicts = store.conflicts().sumOf { it.conflicts.size },
            pending = status.pending.toLong(),
            lastSync = status.lastSyncAt?.let { instantText(it, lang) },
            lastError = status.lastError,
        )
    }

    override fun close() = subscription.cancel()
}
