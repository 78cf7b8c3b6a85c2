package vn.sotay.app

import android.content.Context
import android.net.ConnectivityManager
import android.net.NetworkCapabilities
import androidx.work.Constraints
import androidx.work.CoroutineWorker
import androidx.work.ExistingPeriodicWorkPolicy
import androidx.work.NetworkType
import androidx.work.PeriodicWorkRequestBuilder
import androidx.work.WorkManager
import androidx.work.WorkerParameters
import vn.sotay.core.NetworkState
import vn.sotay.core.SyncDecision
import vn.sotay.core.SyncMoment
import vn.sotay.core.SyncSettings
import vn.sotay.core.syncDecision
import java.util.concurrent.TimeUnit

/**
 * Background sync: WorkManager runs it when a connection appears (the network constraint) and
 * every 30 minutes; the core's sync policy (`syncDecision`) decides whether to sync now.
 */
class SyncWorker(context: Context, params: WorkerParameters) : CoroutineWorker(context, params) {
    override suspend fun doWork(): Result {
        val app = applicationContext as SotayApplication
        val store = app.openStore() ?: return Result.success()
        val status = store.syncStatus()
        // WorkManager's own retry backoff spaces failed attempts; the core's policy decides the rest.
        val decision = syncDecision(
            app.syncSettings(),
            currentNetwork(applicationContext),
            SyncMoment(pending = status.pending, lastSyncAt = status.lastSyncAt, now = System.currentTimeMillis()),
        )
        if (decision !is SyncDecision.Now) return Result.success()
        return try {
            // Files go only when the policy says so (unmetered, or allowed by the user).
            store.sync(null, null, decision.withAttachments)
            Result.success()
        } catch (e: vn.sotay.core.SotayException.Network) {
            Result.retry()
        } catch (e: vn.sotay.core.SotayException) {
            Result.failure()
        }
    }

    companion object {
        fun schedule(context: Context) {
            val request = PeriodicWorkRequestBuilder<SyncWorker>(30, TimeUnit.MINUTES)
                .setConstraints(Constraints.Builder().setRequiredNetworkType(NetworkType.CONNECTED).build())
                .build()
            WorkManager.getInstance(context).enqueueUniquePeriodicWork("sotay-sync", ExistingPeriodicWorkPolicy.KEEP, request)
        }

        fun currentNetwork(context: Context): NetworkState {
            val cm = context.getSystemService(ConnectivityManager::class.java)
            val caps = cm.getNetworkCapabilities(cm.activeNetwork) ?: return NetworkState(connected = false, metered = true)
            return NetworkState(
                connected = caps.hasCapability(NetworkCapabilities.NET_CAPABILITY_INTERNET),
                metered = !caps.hasCapability(NetworkCapabilities.NET_CAPABILITY_NOT_METERED),
            )
        }
    }
}
