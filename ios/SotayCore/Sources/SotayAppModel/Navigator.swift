// The back stack, as state: SwiftUI's NavigationStack draws it. The first screen is enrollment
// until a store exists; after enrolling, home replaces it (back does not return to it).
import Observation
import SotayCore

public enum Screen: Hashable {
    case enroll
    case home
    case records(kind: RecordKind?)
    case record(id: String)
    /// A new record of `kind` (id nil) or an edit.
    case edit(kind: RecordKind, id: String?)
    case history(id: String)
    case conflicts
    case sync
    case report
}

@MainActor
@Observable
public final class Navigator {
    /// The root screen, then what was opened over it (NavigationStack's path).
    public private(set) var root: Screen
    public var path: [Screen] = []

    public init(enrolled: Bool) {
        root = enrolled ? .home : .enroll
    }

    public var current: Screen { path.last ?? root }
    public var screens: [Screen] { [root] + path }

    public func go(_ to: Screen) {
        if current != to { path.append(to) }
    }

    /// False when there is nothing to go back to.
    @discardableResult
    public func back() -> Bool {
        guard !path.isEmpty else { return false }
        path.removeLast()
        return true
    }

    public func enrolled() {
        root = .home
        path = []
    }

    /// After saving an edit: back to the record, not to the form.
    public func saved(id: String) {
        if case .edit = current { path.removeLast() }
        if current != .record(id: id) { path.append(.record(id: id)) }
    }
}
