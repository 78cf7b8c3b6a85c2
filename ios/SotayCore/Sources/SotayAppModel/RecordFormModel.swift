// The create/edit form of any kind of record. The core's RecordForm knows the record's structure
// (groups, issues raised, parties, agenda items and their votes, recommendations) and reads what
// is typed; this holds it for SwiftUI, with what the person typed as they typed it (a half-typed
// date stays as typed; its row shows the problem).
import Observation
import SotayCore

public enum SaveResult: Equatable {
    case saved(id: String)
    /// Messages by field path (also shown under each row); nothing was saved.
    case invalid(errors: [String: String])
    case failed(message: String)
}

@MainActor
@Observable
public final class RecordFormModel {
    public private(set) var rows: [FormRow]
    /// Changes when items are added or removed (rows move; views drop what they held).
    public private(set) var version = 0
    public var kind: RecordKind { form.kind() }

    private let store: Store
    private let unit: String
    private var id: String?
    private let form: RecordForm
    private let lang: Lang
    private var drafts: [String: String] = [:]

    private init(store: Store, unit: String, id: String?, form: RecordForm, lang: Lang) {
        self.store = store
        self.unit = unit
        self.id = id
        self.form = form
        self.lang = lang
        rows = form.rows()
    }

    /// A new record of `kind` in `unit`.
    public static func create(store: Store, unit: String, kind: RecordKind, lang: Lang = .vi) -> RecordFormModel {
        RecordFormModel(store: store, unit: unit, id: nil, form: RecordForm(kind: kind, lang: lang), lang: lang)
    }

    /// The record `id`, to edit.
    public static func edit(store: Store, id: String, lang: Lang = .vi) throws -> RecordFormModel {
        let record = try store.record(id: id)
        return RecordFormModel(store: store, unit: record.unit, id: id, form: RecordForm.edit(body: record.body, lang: lang), lang: lang)
    }

    /// The text a field shows: what the person typed, or the record's value.
    public func text(of row: FormRow) -> String {
        drafts[row.path] ?? row.text
    }

    public func setText(_ path: String, _ text: String) {
        drafts[path] = text
        apply { try form.setText(path: path, text: text) }
    }

    public func setFlag(_ path: String, _ on: Bool) { apply { try form.setFlag(path: path, on: on) } }
    public func choose(_ path: String, _ code: String) { apply { try form.choose(path: path, code: code) } }
    public func toggle(_ path: String, _ code: String) { apply { try form.toggle(path: path, code: code) } }
    public func addItem(_ path: String) { restructure { _ = try form.addItem(path: path) } }
    public func removeItem(_ path: String) { restructure { try form.removeItem(path: path) } }

    public func save() -> SaveResult {
        defer { rows = form.rows() }
        do {
            let saved = try form.save(store: store, unit: unit, id: id)
            id = saved
            drafts = [:]
            return .saved(id: saved)
        } catch let SotayError.InvalidInput(fields, _) {
            return .invalid(errors: FormErrors.byField(fields, lang: lang))
        } catch {
            return .failed(message: Words.problem(error, lang: lang))
        }
    }

    private func apply(_ change: () throws -> Void) {
        // An invalid value is not an error to report: the row shows the problem under the field.
        try? change()
        rows = form.rows()
    }

    private func restructure(_ change: () throws -> Void) {
        drafts = [:]
        apply(change)
        version += 1
    }
}
