// The app: one store (encrypted, its key in the Keychain), the navigation state, and the
// background sync task. Vietnamese unless the phone is set to English.
import BackgroundTasks
import SotayAppModel
import SotayCore
import SwiftUI

@main
struct SotayApp: App {
    @State private var app = AppState()
    @Environment(\.scenePhase) private var phase

    init() {
        BackgroundSyncTask.register()
    }

    var body: some Scene {
        WindowGroup {
            RootView()
                .environment(app)
                .dynamicTypeSize(...DynamicTypeSize.accessibility2)
        }
        .onChange(of: phase) { _, now in
            if now == .background, app.store != nil { BackgroundSyncTask.schedule() }
        }
    }
}

@MainActor
@Observable
final class AppState {
    let lang: Lang
    let vault = KeychainVault()
    let navigator: Navigator
    private(set) var store: Store?
    let network = NetworkWatch()

    static var storePath: String {
        let dir = FileManager.default.urls(for: .applicationSupportDirectory, in: .userDomainMask)[0]
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent("sotay.db").path
    }

    init() {
        lang = Locale.current.language.languageCode?.identifier == "en" ? .en : .vi
        let opened = AppState.openStore(vault: vault)
        store = opened
        navigator = Navigator(enrolled: opened != nil)
        BackgroundSyncTask.openStore = { [weak self] in self?.store ?? AppState.openStore(vault: KeychainVault()) }
        // A connection appearing while the app is open: send what waits, files only if the
        // policy allows them on this network.
        network.onConnect = { [weak self] in
            Task { @MainActor in
                guard let self, let store = self.store, (try? store.syncStatus().pending) ?? 0 > 0 else { return }
                let now = Int64(Date().timeIntervalSince1970 * 1000)
                let decision = syncDecision(settings: SyncPreferences.settings, network: self.network.state,
                                            moment: SyncMoment(pending: 1, now: now))
                guard case let .now(withAttachments) = decision else { return }
                _ = try? await store.sync(listener: nil, cancel: nil, withAttachments: withAttachments)
            }
        }
    }

    static func openStore(vault: KeychainVault) -> Store? {
        guard FileManager.default.fileExists(atPath: storePath), let key = try? vault.storeKey() else { return nil }
        return try? Store.open(path: storePath, key: .raw(bytes: key))
    }

    func enrolled(_ store: Store) {
        self.store = store
        navigator.enrolled()
        BackgroundSyncTask.schedule()
    }
}

struct RootView: View {
    @Environment(AppState.self) private var app

    var body: some View {
        @Bindable var navigator = app.navigator
        if let store = app.store {
            NavigationStack(path: $navigator.path) {
                HomeView(store: store)
                    .navigationDestination(for: Screen.self) { screen in
                        destination(screen, store: store)
                    }
            }
        } else {
            EnrollView()
        }
    }

    @ViewBuilder
    private func destination(_ screen: Screen, store: Store) -> some View {
        switch screen {
        case .enroll, .home:
            HomeView(store: store)
        case let .records(kind):
            RecordsView(store: store, kind: kind)
        case let .record(id), let .history(id):
            RecordDetailView(store: store, id: id)
        case let .edit(kind, id):
            RecordFormView(store: store, kind: kind, id: id)
        case .conflicts:
            ConflictsView(store: store)
        case .sync:
            SyncView(store: store)
        case .report:
            ReportView(store: store)
        }
    }
}

/// A button people new to phones can hit: full width, at least 56 points high.
struct BigButton: View {
    let title: String
    let action: () -> Void

    var body: some View {
        Button(action: action) {
            Text(title).font(.title3).frame(maxWidth: .infinity, minHeight: 56)
        }
        .buttonStyle(.borderedProminent)
    }
}
