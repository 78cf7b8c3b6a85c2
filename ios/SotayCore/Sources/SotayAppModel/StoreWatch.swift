// The library calls a listener on its own thread after every change (the user's saves and what
// sync brings); models refresh on the main actor, where SwiftUI reads them.
import SotayCore

final class StoreWatch: StoreListener, @unchecked Sendable {
    private let refresh: @Sendable () -> Void
    init(_ refresh: @escaping @Sendable () -> Void) { self.refresh = refresh }
    func onChange(ids: [String]) { refresh() }

    /// Refreshes `model` on the store's changes until the returned handle is dropped.
    @MainActor
    static func follow<M: AnyObject & Refreshing>(_ store: Store, _ model: M) -> Following {
        Following(store.subscribe(listener: StoreWatch { [weak model] in
            Task { @MainActor in model?.refresh() }
        }))
    }
}

/// A model's subscription to the store, ended when the model lets go of it: on `close()`, or when
/// SwiftUI drops the model with its screen.
final class Following {
    private let subscription: Subscription
    init(_ subscription: Subscription) { self.subscription = subscription }
    deinit { subscription.cancel() }
}

/// A model that reloads itself from the store.
@MainActor
public protocol Refreshing: AnyObject {
    func refresh()
}
