// "Sync now", its progress and its last error in plain words, for the sync screen; and the
// question the background task asks (the core's policy: network, backoff, attachments).
import Foundation
import Observation
import SotayCore

@MainActor
@Observable
public final class SyncModel {
    public private(set) var running = false
    public private(set) var recordsSent: UInt64 = 0
    public private(set) var recordsReceived: UInt64 = 0
    public private(set) var bytes: UInt64 = 0
    /// Files attached to records, sent and received; and those waiting for Wi-Fi.
    public private(set) var filesSent: UInt64 = 0
    public private(set) var filesReceived: UInt64 = 0
    public private(set) var filesWaiting: UInt64 = 0
    /// The last failure in plain words; nil after a success.
    public private(set) var problem: String?
    public private(set) var lastDone: String?

    private let store: Store
    private let lang: Lang
    @ObservationIgnored private var cancelHandle: SyncCancel?

    public init(store: Store, lang: Lang = .vi) {
        self.store = store
        self.lang = lang
    }

    /// Syncs now; files go too when the core's policy allows them on this network (`network`: what
    /// the path monitor sees; `settings`: whether the user allows mobile data for files).
    public func syncNow(network: NetworkState = NetworkState(connected: true, metered: false), settings: SyncSettings = SyncSettings()) async {
        if running { return }
        let decision = syncDecision(settings: settings, network: network,
                                    moment: SyncMoment(now: Int64(Date().timeIntervalSince1970 * 1000), manual: true))
        guard case let .now(withAttachments) = decision else {
            problem = words(lang, "Chưa có mạng. Dữ liệu vẫn an toàn trên máy, sẽ gửi khi có mạng.",
                            "No connection. Your records are safe on the phone and will be sent when there is one.")
            return
        }
        let handle = SyncCancel()
        cancelHandle = handle
        running = true
        problem = nil
        defer { running = false }
        do {
            let report = try await store.sync(listener: Progress(self), cancel: handle, withAttachments: withAttachments)
            show(report)
            filesWaiting = try store.syncStatus().attachmentsPending
            lastDone = instantText(atMs: Int64(Date().timeIntervalSince1970 * 1000), lang: lang)
        } catch {
            problem = Words.problem(error, lang: lang)
        }
    }

    public func cancel() {
        cancelHandle?.cancel()
    }

    fileprivate func show(_ report: SyncReport) {
        recordsSent = report.pushedChanges
        recordsReceived = report.receivedChanges
        bytes = report.bytesSent + report.bytesReceived
        filesSent = report.attachmentsSent
        filesReceived = report.attachmentsReceived
    }

    /// Progress arrives on the library's thread; the model changes on the main actor.
    private final class Progress: SyncListener, @unchecked Sendable {
        weak var model: SyncModel?
        init(_ model: SyncModel) { self.model = model }
        func onProgress(report: SyncReport) {
            Task { @MainActor [weak model] in model?.show(report) }
        }
    }
}

/// What the background task (BGAppRefreshTask) does when iOS wakes the app.
public enum BackgroundSync {
    /// Asks the core's policy with what the phone knows; the app syncs only on `.now`.
    public static func decision(store: Store, network: NetworkState, settings: SyncSettings = SyncSettings(),
                                failuresInARow: UInt32, lastAttemptAt: Int64?, now: Int64) throws -> SyncDecision {
        let status = try store.syncStatus()
        return syncDecision(settings: settings, network: network,
                            moment: SyncMoment(pending: status.pending, lastSyncAt: status.lastSyncAt, failuresInARow: failuresInARow,
                                               lastAttemptAt: lastAttemptAt, now: now))
    }
}
