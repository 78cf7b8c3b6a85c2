// A record: title, kind, deadlines, "edit", and its history in words.
import SotayAppModel
import SotayCore
import SwiftUI

struct RecordDetailView: View {
    let store: Store
    let id: String
    @Environment(AppState.self) private var app
    @State private var record: RecordView?
    @State private var history: [HistoryLine] = []
    @State private var problem: String?

    var body: some View {
        let lang = app.lang
        List {
            if let record {
                Section {
                    Text(record.title).font(.title2.bold())
                    Text(kindLabel(kind: record.kind, lang: lang)).foregroundStyle(.secondary)
                    ForEach(Array(record.deadlines.enumerated()), id: \.offset) { _, d in
                        Text("\(words(lang, "Hạn", "Due")) \(dateText(iso: d.deadline.due, lang: lang))\(d.deadline.met ? " ✓" : "")")
                            .foregroundStyle(d.overdue ? Color.red : Color.primary)
                    }
                    // What each village meeting item's votes decide, in words (the core computes it).
                    ForEach(Array(record.outcomes.enumerated()), id: \.offset) { _, o in
                        Text(lang == .en ? o.en : o.vi)
                    }
                    if record.deleted == nil {
                        NavigationLink(value: Screen.edit(kind: record.kind, id: id)) { Text(words(lang, "Sửa hồ sơ", "Edit")).font(.headline) }
                    }
                }
            }
            if record?.kind == .mediation {
                AttachmentsSection(store: store, recordId: id)
            }
            Section(words(lang, "Lịch sử thay đổi", "History")) {
                ForEach(Array(history.enumerated()), id: \.offset) { _, line in
                    VStack(alignment: .leading, spacing: 4) {
                        Text("\(line.author) — \(line.deviceTime)" + (line.serverTime.map { words(lang, " (máy chủ nhận \($0))", " (server \($0))") } ?? ""))
                            .font(.subheadline.bold())
                        ForEach(line.changes, id: \.self) { Text($0).font(.subheadline) }
                    }
                }
            }
            if let problem { Text(problem).foregroundStyle(.red) }
        }
        .navigationTitle(words(lang, "Hồ sơ", "Record"))
        .task { load() }
    }

    private func load() {
        do {
            record = try store.record(id: id)
            history = try HistoryModel(store: store, lang: app.lang).lines(recordId: id)
        } catch {
            problem = Words.problem(error, lang: app.lang)
        }
    }
}
