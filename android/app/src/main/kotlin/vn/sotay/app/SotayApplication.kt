package vn.sotay.app

import android.app.Application
import vn.sotay.core.Store
import vn.sotay.core.StoreKey
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

    fun enrolled(store: Store) {
        this.store = store
        SyncWorker.schedule(this)
    }
}
