// The home screen: what needs doing (deadlines past and near, conflicts to settle), what waits to
// be sent, and the last sync. Refreshes itself when the store changes.
import Foundation
import Observation
import SotayCore

/// A record with a deadline, as the home screen lists it.
public struct DueItem: Equatable, Identifiable, Sendable {
    public let id: String
    public let title: String
    public let kind: String
    public let due: String
    public let dueText: String
    public let overdue: Bool
}

@MainActor
@Observable
public final class HomeModel: Refreshing {
    public private(set) var overdue: [DueItem] = []
    public private(set) var dueSoon: [DueItem] = []
    public private(set) var conflicts = 0
    public private(set) var pending: UInt64 = 0
    public private(set) var lastSync: String?
    public private(set) var lastError: String?
    public private(set) var problem: String?

    private let store: Store
    private let lang: Lang
    private let today: () -> String
    private let soonDays: Int
    @ObservationIgnored private var following: Following?

    /// `today` is Vietnam's date, `YYYY-MM-DD`; tests pass a fixed day.
    public init(store: Store, lang: Lang = .vi, today: @escaping () -> String = { todayInVietnam(nowMs: Int64(Date().timeIntervalSince1970 * 1000)) }, soonDays: Int = 7) {
        self.store = store
        self.lang = lang
        self.today = today
        self.soonDays = soonDays
        following = StoreWatch.follow(store, self)
        refresh()
    }

    public func refresh() {
        let now = today()
        do {
            let rows = try store.list(filter: RecordFilter(limit: 5000))
            var overdue: [DueItem] = []
            var soon: [DueItem] = []
            for r in rows {
                guard let next = r.nextDue else { continue }
                // Overdue against the screen's day, not the store clock's.
                let days = try? daysBetween(from: now, to: next)
                let late = days.map { $0 < 0 } ?? r.overdue
                let item = DueItem(id: r.id, title: r.title, kind: kindLabel(kind: r.kind, lang: lang), due: dateText(iso: next, lang: lang),
                                   dueText: (try? dueInText(due: next, today: now, lang: lang)) ?? next, overdue: late)
                if late {
                    overdue.append(item)
                } else if let days, days <= soonDays {
                    soon.append(item)
                }
            }
            let status = try store.syncStatus()
            self.overdue = overdue
            dueSoon = soon
            conflicts = try store.conflicts().reduce(0) { $0 + $1.conflicts.count }
            pending = status.pending
            lastSync = status.lastSyncAt.map { instantText(atMs: $0, lang: lang) }
            lastError = status.lastError
            problem = nil
        } catch {
            problem = Words.problem(error, lang: lang)
        }
    }

    /// Stops following the store (the screen is gone).
    public func close() {
        following = nil
    }
}
