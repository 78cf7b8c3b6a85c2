// Sync without the person: a BGAppRefreshTask that iOS runs when it sees fit (after a connection
// appears, at least 15 minutes apart), and a path monitor that notices a connection while the app
// is open. Whether to sync, and whether attachments may go, is the core's policy
// (BackgroundSync.decision, syncDecision); a metered ("expensive") or Low Data path keeps
// attachments back unless the user allows it.
import BackgroundTasks
import Foundation
import Network
import SotayAppModel
import SotayCore

final class NetworkWatch: @unchecked Sendable {
    private let monitor = NWPathMonitor()
    private let lock = NSLock()
    private var current = NetworkState(connected: false, metered: true)
    var onConnect: (@Sendable () -> Void)?

    init() {
        monitor.pathUpdateHandler = { [weak self] path in
            guard let self else { return }
            let next = NetworkState(connected: path.status == .satisfied, metered: path.isExpensive || path.isConstrained)
            self.lock.lock()
            let appeared = next.connected && !self.current.connected
            self.current = next
            self.lock.unlock()
            if appeared { self.onConnect?() }
        }
        monitor.start(queue: DispatchQueue(label: "vn.sotay.app.network"))
    }

    var state: NetworkState {
        lock.lock()
        defer { lock.unlock() }
        return current
    }
}

/// The user's choices about sync, kept in UserDefaults.
enum SyncPreferences {
    static let attachmentsOnMeteredKey = "sync.attachmentsOnMetered"

    static var settings: SyncSettings {
        SyncSettings(attachmentsOnMetered: UserDefaults.standard.bool(forKey: attachmentsOnMeteredKey))
    }
}

enum BackgroundSyncTask {
    static let identifier = "vn.sotay.app.sync"
    /// The app's store for a background run (set by the app at start: the open one, so its models
    /// hear the changes, or opened for the run).
    @MainActor static var openStore: () -> Store? = { nil }
    private static let failuresKey = "sync.failuresInARow"
    private static let lastAttemptKey = "sync.lastAttemptAt"

    static func register() {
        BGTaskScheduler.shared.register(forTaskWithIdentifier: identifier, using: nil) { task in
            guard let refresh = task as? BGAppRefreshTask else { return task.setTaskCompleted(success: false) }
            run(refresh)
        }
    }

    static func schedule() {
        let request = BGAppRefreshTaskRequest(identifier: identifier)
        request.earliestBeginDate = Date(timeIntervalSinceNow: 15 * 60)
        try? BGTaskScheduler.shared.submit(request)
    }

    private static func run(_ task: BGAppRefreshTask) {
        schedule()
        let cancel = SyncCancel()
        task.expirationHandler = { cancel.cancel() }
        let defaults = UserDefaults.standard
        let watch = NetworkWatch()
        Task { @MainActor in
            // The path monitor reports its first path at once.
            try? await Task.sleep(nanoseconds: 300_000_000)
            guard let store = openStore() else { return task.setTaskCompleted(success: false) }
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            let failures = UInt32(defaults.integer(forKey: failuresKey))
            let last = defaults.object(forKey: lastAttemptKey) as? Int64
            let decision = try? BackgroundSync.decision(store: store, network: watch.state, settings: SyncPreferences.settings,
                                                        failuresInARow: failures, lastAttemptAt: last, now: now)
            // A refresh task has about 30 seconds: records only; files go when the app is open
            // (sync now, or a connection appearing) and the policy allows them.
            guard case .now = decision else { return task.setTaskCompleted(success: true) }
            defaults.set(now, forKey: lastAttemptKey)
            do {
                _ = try await store.sync(listener: nil, cancel: cancel, withAttachments: false)
                defaults.set(0, forKey: failuresKey)
                task.setTaskCompleted(success: true)
            } catch {
                defaults.set(Int(failures) + 1, forKey: failuresKey)
                task.setTaskCompleted(success: false)
            }
        }
    }
}
