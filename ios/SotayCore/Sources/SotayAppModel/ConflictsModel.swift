// Conflicts side by side: a field two people set differently while apart, each value with its
// author and time, settled with one tap. The choice syncs to everyone like any edit.
import SotayCore

public struct ConflictSide: Equatable, Identifiable {
    public var id: String { "\(author)|\(when)|\(text)" }
    public let value: FieldValue
    public let text: String
    public let author: String
    public let when: String
}

public struct ConflictCard: Equatable, Identifiable {
    public var id: String { "\(recordId)|\(path)" }
    public let recordId: String
    public let kind: String
    public let path: String
    public let field: String
    public let sides: [ConflictSide]
}

@MainActor
public struct ConflictsModel {
    private let store: Store
    private let lang: Lang

    public init(store: Store, lang: Lang = .vi) {
        self.store = store
        self.lang = lang
    }

    public func cards() throws -> [ConflictCard] {
        try store.conflicts().flatMap { r in
            r.conflicts.map { c in
                ConflictCard(recordId: r.id, kind: kindLabel(kind: r.kind, lang: lang), path: c.path, field: fieldLabel(path: c.path, lang: lang),
                             sides: c.values.map { v in
                                 ConflictSide(value: v.value, text: fieldValueText(path: c.path, value: v.value, lang: lang), author: v.author.user,
                                              when: instantText(atMs: v.deviceTime, lang: lang))
                             })
            }
        }
    }

    /// Keeps `side`'s value.
    public func choose(_ card: ConflictCard, _ side: ConflictSide) throws {
        try store.resolveConflict(id: card.recordId, path: card.path, value: side.value)
    }
}
