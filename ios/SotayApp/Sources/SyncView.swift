// Sync now, its progress, and the last problem in plain words.
import SotayAppModel
import SotayCore
import SwiftUI

struct SyncView: View {
    let store: Store
    @Environment(AppState.self) private var app
    @State private var model: SyncModel?
    /// Files over mobile data too (off: they wait for Wi-Fi).
    @AppStorage(SyncPreferences.attachmentsOnMeteredKey) private var filesOnMobileData = false

    var body: some View {
        let lang = app.lang
        VStack(alignment: .leading, spacing: 16) {
            if let model {
                BigButton(title: model.running ? words(lang, "Đang đồng bộ…", "Syncing…") : words(lang, "Đồng bộ ngay", "Sync now")) {
                    Task { await model.syncNow(network: app.network.state, settings: SyncPreferences.settings) }
                }
                .disabled(model.running)
                if model.running {
                    ProgressView()
                    Button(words(lang, "Dừng", "Stop"), role: .cancel) { model.cancel() }.frame(minHeight: 44)
                }
                Text(words(lang, "Đã gửi \(model.recordsSent) thay đổi, nhận \(model.recordsReceived), \(numberText(n: Int64(model.bytes), lang: lang)) byte",
                           "Sent \(model.recordsSent) changes, received \(model.recordsReceived), \(numberText(n: Int64(model.bytes), lang: lang)) bytes"))
                if model.filesSent + model.filesReceived + model.filesWaiting > 0 {
                    Text(words(lang, "Tệp đính kèm: gửi \(model.filesSent), nhận \(model.filesReceived), chờ Wi-Fi \(model.filesWaiting)",
                               "Attachments: sent \(model.filesSent), received \(model.filesReceived), waiting for Wi-Fi \(model.filesWaiting)"))
                }
                Toggle(words(lang, "Gửi tệp đính kèm bằng dữ liệu di động", "Send attachments over mobile data"), isOn: $filesOnMobileData)
                    .frame(minHeight: 44)
                if let done = model.lastDone { Text(words(lang, "Xong lúc \(done)", "Done at \(done)")).foregroundStyle(.secondary) }
                if let problem = model.problem { Text(problem).foregroundStyle(.red) }
            }
            Spacer()
        }
        .padding()
        .navigationTitle(words(lang, "Đồng bộ", "Sync"))
        .task { if model == nil { model = SyncModel(store: store, lang: app.lang) } }
    }
}
