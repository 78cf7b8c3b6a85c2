// Saving a record's form: the form builds the typed body (Dialogue, MediationCase, ...), the
// library checks it against the law's rules and says which field is wrong.
import SotayCore

public enum SaveResult: Equatable {
    case saved(id: String)
    /// Messages by field path, for the form to show under each field; nothing was saved.
    case invalid(errors: [String: String])
    case failed(message: String)
}

@MainActor
public struct RecordEditor {
    private let store: Store
    private let lang: Lang

    public init(store: Store, lang: Lang = .vi) {
        self.store = store
        self.lang = lang
    }

    public func save(unit: String, id: String?, body: RecordBody) -> SaveResult {
        do {
            guard let id else { return .saved(id: try store.createRecord(unit: unit, body: body)) }
            try store.updateRecord(id: id, body: body)
            return .saved(id: id)
        } catch let SotayError.InvalidInput(fields, _) {
            return .invalid(errors: FormErrors.byField(fields, lang: lang))
        } catch {
            return .failed(message: Words.problem(error, lang: lang))
        }
    }
}
