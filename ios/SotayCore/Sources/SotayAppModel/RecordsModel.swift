// The list of records of one kind or all, with search that ignores case and diacritics (the
// library folds "dat dai" and "Đất đai" alike) and filters; follows the store's changes.
import Observation
import SotayCore

/// A line of a list of records.
public struct RecordLine: Equatable, Identifiable, Sendable {
    public let id: String
    public let title: String
    public let kind: String
    public let date: String
    public let due: String
    public let overdue: Bool
    public let conflict: Bool
}

@MainActor
@Observable
public final class RecordsModel: Refreshing {
    public var query = "" { didSet { refresh() } }
    public var kind: RecordKind? { didSet { refresh() } }
    public var overdueOnly = false { didSet { refresh() } }
    public private(set) var lines: [RecordLine] = []
    public private(set) var problem: String?

    private let store: Store
    private let lang: Lang
    @ObservationIgnored private var following: Following?

    public init(store: Store, kind: RecordKind? = nil, lang: Lang = .vi) {
        self.store = store
        self.kind = kind
        self.lang = lang
        following = StoreWatch.follow(store, self)
        refresh()
    }

    public func refresh() {
        let filter = RecordFilter(kinds: kind.map { [$0] } ?? [], overdue: overdueOnly, limit: 500)
        do {
            let trimmed = query.trimmingCharacters(in: .whitespaces)
            let rows = trimmed.isEmpty ? try store.list(filter: filter) : try store.search(text: trimmed, filter: filter)
            lines = rows.map {
                RecordLine(id: $0.id, title: $0.title, kind: kindLabel(kind: $0.kind, lang: lang), date: dateText(iso: $0.eventDate, lang: lang),
                           due: dateText(iso: $0.nextDue, lang: lang), overdue: $0.overdue, conflict: $0.conflicts > 0)
            }
            problem = nil
        } catch {
            problem = Words.problem(error, lang: lang)
        }
    }

    public func close() {
        following = nil
    }
}
