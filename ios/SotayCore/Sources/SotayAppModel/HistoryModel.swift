// A record's history in words: who changed what, when (the phone's clock, and the server's once
// synced). List items' ids are for merging, not for reading, and are left out.
import SotayCore

public struct HistoryLine: Equatable {
    public let author: String
    public let deviceTime: String
    public let serverTime: String?
    public let changes: [String]
}

@MainActor
public struct HistoryModel {
    private let store: Store
    private let lang: Lang

    public init(store: Store, lang: Lang = .vi) {
        self.store = store
        self.lang = lang
    }

    public func lines(recordId: String) throws -> [HistoryLine] {
        try store.history(id: recordId).map { e in
            HistoryLine(author: e.author.user, deviceTime: instantText(atMs: e.deviceTime, lang: lang),
                        serverTime: e.serverTime.map { instantText(atMs: $0, lang: lang) },
                        changes: e.fields.filter { !$0.path.hasSuffix(".id") }.map {
                            "\(fieldLabel(path: $0.path, lang: lang)): \(fieldValueText(path: $0.path, value: $0.from, lang: lang)) → \(fieldValueText(path: $0.path, value: $0.to, lang: lang))"
                        })
        }
    }
}
