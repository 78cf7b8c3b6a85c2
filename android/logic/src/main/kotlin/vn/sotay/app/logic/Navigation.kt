package vn.sotay.app.logic

import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import vn.sotay.core.RecordKind

/** The app's screens. */
sealed class Screen {
    object Enroll : Screen()
    object Home : Screen()
    data class Records(val kind: RecordKind?) : Screen()
    data class Record(val id: String) : Screen()
    /** A new record of [kind] (id null) or an edit. */
    data class Edit(val kind: RecordKind, val id: String?) : Screen()
    data class History(val id: String) : Screen()
    object Conflicts : Screen()
    object Sync : Screen()
    object Report : Screen()
}

/**
 * The back stack, as state: the Compose and SwiftUI screens draw its top. The first screen is
 * enrollment until a store exists; after enrolling, home replaces it (back does not return to it).
 */
class Navigator(enrolled: Boolean) {
    private val stack = MutableStateFlow(listOf(if (enrolled) Screen.Home else Screen.Enroll))
    val screens: StateFlow<List<Screen>> = stack
    val current: Screen get() = stack.value.last()

    fun go(to: Screen) {
        if (current == to) return
        stack.value = stack.value + to
    }

    /** False when there is nothing to go back to (the system closes the app). */
    fun back(): Boolean {
        if (stack.value.size <= 1) return false
        stack.value = stack.value.dropLast(1)
        return true
    }

    fun enrolled() {
        stack.value = listOf(Screen.Home)
    }

    /** After saving an edit: back to the record, not to the form. */
    fun saved(id: String) {
        val withoutForm = stack.value.dropLast(1)
        stack.value = if (withoutForm.lastOrNull() == Screen.Record(id)) withoutForm else withoutForm + Screen.Record(id)
    }
}
