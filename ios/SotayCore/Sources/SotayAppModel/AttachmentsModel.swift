// The files of a mediation case (the signed agreement, photos of the minutes): listed, opened
// when this phone has them, attached from the camera roll or Files. They reach the server with a
// sync that may move files (Wi-Fi, unless the user allows mobile data).
import Foundation
import Observation
import SotayCore

public struct AttachmentLine: Equatable, Identifiable {
    public var id: String { sha256 }
    public let sha256: String
    public let name: String
    public let mediaType: String
    public let size: String
    public let onPhone: Bool
}

@MainActor
@Observable
public final class AttachmentsModel: Refreshing {
    public private(set) var lines: [AttachmentLine] = []
    public private(set) var problem: String?
    /// The file types a record takes (the core's list), for the pickers.
    public static var mediaTypes: [String] { attachmentMediaTypes() }

    private let store: Store
    private let recordId: String
    private let lang: Lang
    @ObservationIgnored private var following: Following?

    /// Follows the store: a file fetched by sync shows as on the phone without reopening.
    public init(store: Store, recordId: String, lang: Lang = .vi) {
        self.store = store
        self.recordId = recordId
        self.lang = lang
        following = StoreWatch.follow(store, self)
        refresh()
    }

    public func close() {
        following = nil
    }

    public func refresh() {
        do {
            guard case let .mediation(m) = try store.record(id: recordId).body else { return lines = [] }
            lines = try m.attachments.map { a in
                AttachmentLine(sha256: a.sha256, name: a.name, mediaType: a.mediaType, size: sizeText(bytes: a.size, lang: lang),
                               onPhone: try store.attachment(sha256: a.sha256) != nil)
            }
        } catch {
            problem = Words.problem(error, lang: lang)
        }
    }

    /// Attaches a file; false (with `problem` in plain words) when it is refused.
    @discardableResult
    public func attach(name: String, mediaType: String, data: Data) -> Bool {
        do {
            _ = try store.attach(recordId: recordId, name: name, mediaType: mediaType, data: data)
            problem = nil
            refresh()
            return true
        } catch {
            problem = Words.problem(error, lang: lang)
            return false
        }
    }

    /// A file's bytes, or nil when it has not reached this phone yet.
    public func open(_ line: AttachmentLine) -> Data? {
        try? store.attachment(sha256: line.sha256)
    }
}
