package vn.sotay.app

import android.app.Application
import vn.sotay.core.Store
import vn.sotay.core.StoreKey
import vn.sotay.core.SyncSettings
import java.io.File

/** Holds the one open store of the app. */
class SotayApplication : Application() {
    val vault by lazy { KeystoreVault(this) }
    val storeFile: File get() = File(filesDir, "sotay.db")

    @Volatile
    var store: Store? = null
        private set

    /** Opens the store if this phone has enrolled; null before the first run is done. */
    fun openStore(): Store? {
        store?.let { return it }
        if (!storeFile.exists()) return null
        return Store.open(storeFile.path, StoreKey.Raw(vault.storeKey())).also { store = it }
    }

    private val preferences by lazy { getSharedPreferences("sync", MODE_PRIVATE) }

    /** The user's choices about sync (files over mobile data or not), kept on the phone. */
    fun syncSettings(): SyncSettings = SyncSettings(attachmentsOnMetered = preferences.getBoolean("attachments_on_metered", false))

    fun setAttachmentsOnMetered(on: Boolean) = preferences.edit().putBoolean("attachments_on_metered", on).apply()

    fun enrolled(store: Store) {
        this.store = store
        SyncWorker.schedule(this)
    }
}
