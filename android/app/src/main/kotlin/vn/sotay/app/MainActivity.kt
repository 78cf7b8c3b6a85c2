package vn.sotay.app

import android.os.Bundle
import androidx.activity.ComponentActivity
import androidx.activity.compose.BackHandler
import androidx.activity.compose.setContent
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.remember
import vn.sotay.app.logic.Navigator
import vn.sotay.app.logic.RecordFormModel
import vn.sotay.app.logic.Screen
import vn.sotay.app.ui.ConflictsScreen
import vn.sotay.app.ui.EnrollScreen
import vn.sotay.app.ui.HomeScreen
import vn.sotay.app.ui.RecordFormScreen
import vn.sotay.app.ui.RecordScreen
import vn.sotay.app.ui.RecordsScreen
import vn.sotay.app.ui.ReportScreen
import vn.sotay.app.ui.SotayTheme
import vn.sotay.app.ui.SyncScreen
import vn.sotay.core.Lang
import java.util.Locale

/** One activity; the screen shown is the top of the logic's navigation state. */
class MainActivity : ComponentActivity() {
    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        val app = application as SotayApplication
        // Vietnamese unless the phone is set to English.
        val lang = if (Locale.getDefault().language == "en") Lang.EN else Lang.VI
        val navigator = Navigator(enrolled = app.openStore() != null)
        setContent {
            SotayTheme {
                val stack by navigator.screens.collectAsState()
                BackHandler(enabled = stack.size > 1) { navigator.back() }
                val store = remember(stack.last()) { app.store }
                when (val screen = stack.last()) {
                    Screen.Enroll -> EnrollScreen(app, lang) { navigator.enrolled() }
                    Screen.Home -> HomeScreen(store!!, lang, navigator)
                    is Screen.Records -> RecordsScreen(store!!, lang, screen.kind, navigator)
                    is Screen.Record -> RecordScreen(store!!, lang, screen.id, navigator)
                    is Screen.History -> RecordScreen(store!!, lang, screen.id, navigator)
                    is Screen.Edit -> {
                        // New records go to the user's own unit (a commune official's commune).
                        val form = remember(screen) {
                            screen.id?.let { RecordFormModel.edit(store!!, it, lang) }
                                ?: RecordFormModel.create(store!!, store.profile().unit, screen.kind, lang)
                        }
                        RecordFormScreen(form, lang) { id -> navigator.saved(id) }
                    }
                    Screen.Conflicts -> ConflictsScreen(store!!, lang)
                    Screen.Sync -> SyncScreen(app, store!!, lang)
                    Screen.Report -> ReportScreen(store!!, lang)
                }
            }
        }
    }
}
