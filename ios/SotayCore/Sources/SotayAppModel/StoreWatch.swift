// The library calls a listener on its own thread after every change (the user's saves and what
// sync brings); models refresh on the main actor, where SwiftUI reads them.
import SotayCore

final class StoreWatch: StoreListener, @unchecked Sendable {
    private let refresh: @Sendable () -> Void
    init(_ refresh: @escaping @Sendable () -> Void) { self.refresh = refresh }
    func onChange(ids: [String]) { refresh() }

    /// Subscribes `model.refresh()` to the store's changes; the subscription ends with its handle.
    @MainActor
    static func subscribe<M: AnyObject & Refreshing>(_ store: Store, _ model: M) -> Subscription {
        store.subscribe(listener: StoreWatch { [weak model] in
            Task { @MainActor in model?.refresh() }
        })
    }
}

/// A model that reloads itself from the store.
@MainActor
public protocol Refreshing: AnyObject {
    func refresh()
}
