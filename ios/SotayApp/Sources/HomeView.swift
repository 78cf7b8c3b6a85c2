// Home: what needs doing (deadlines past and near, conflicts), what waits to be sent, the last
// sync, and the way to each kind's records, the report and sync.
import SotayAppModel
import SotayCore
import SwiftUI

struct HomeView: View {
    let store: Store
    @Environment(AppState.self) private var app
    @State private var model: HomeModel?

    var body: some View {
        let lang = app.lang
        List {
            if let model {
                if !model.overdue.isEmpty {
                    Section(words(lang, "Quá hạn", "Overdue")) {
                        ForEach(model.overdue) { item in DueRow(item: item) }
                    }
                }
                if !model.dueSoon.isEmpty {
                    Section(words(lang, "Sắp đến hạn", "Due soon")) {
                        ForEach(model.dueSoon) { item in DueRow(item: item) }
                    }
                }
                Section {
                    NavigationLink(value: Screen.conflicts) {
                        Label(words(lang, "Xung đột cần xử lý: \(model.conflicts)", "Conflicts to settle: \(model.conflicts)"),
                              systemImage: "arrow.triangle.merge")
                    }
                    NavigationLink(value: Screen.sync) {
                        VStack(alignment: .leading) {
                            Text(words(lang, "Chờ gửi: \(numberText(n: Int64(model.pending), lang: lang))", "Waiting to be sent: \(numberText(n: Int64(model.pending), lang: lang))"))
                            Text(model.lastSync.map { words(lang, "Đồng bộ lần cuối: \($0)", "Last sync: \($0)") } ?? words(lang, "Chưa đồng bộ", "Never synced"))
                                .font(.footnote).foregroundStyle(.secondary)
                        }
                    }
                    NavigationLink(value: Screen.report) { Label(words(lang, "Báo cáo", "Report"), systemImage: "chart.bar") }
                }
                Section(words(lang, "Hồ sơ", "Records")) {
                    ForEach(RecordKinds.all, id: \.self) { kind in
                        NavigationLink(value: Screen.records(kind: kind)) { Text(kindLabel(kind: kind, lang: lang)) }
                    }
                }
                if let problem = model.problem { Text(problem).foregroundStyle(.red) }
            }
        }
        .navigationTitle("Sổ Tay")
        .task { if model == nil { model = HomeModel(store: store, lang: app.lang) } }
        .refreshable { model?.refresh() }
    }
}

private struct DueRow: View {
    let item: DueItem

    var body: some View {
        NavigationLink(value: Screen.record(id: item.id)) {
            VStack(alignment: .leading) {
                Text(item.title).font(.headline)
                Text("\(item.kind) · \(item.due) · \(item.dueText)").font(.subheadline)
                    .foregroundStyle(item.overdue ? Color.red : Color.secondary)
            }
            .frame(minHeight: 44)
        }
    }
}
