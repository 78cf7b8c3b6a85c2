// The records of one kind: search without diacritics ("dat dai" finds "Đất đai"), overdue only,
// and a new record.
import SotayAppModel
import SotayCore
import SwiftUI

struct RecordsView: View {
    let store: Store
    let kind: RecordKind?
    @Environment(AppState.self) private var app
    @State private var model: RecordsModel?

    var body: some View {
        let lang = app.lang
        Group {
            if let model {
                @Bindable var list = model
                List {
                    Toggle(words(lang, "Chỉ hồ sơ quá hạn", "Overdue only"), isOn: $list.overdueOnly)
                    ForEach(model.lines) { line in
                        NavigationLink(value: Screen.record(id: line.id)) {
                            VStack(alignment: .leading) {
                                Text(line.title).font(.headline).foregroundStyle(line.overdue ? Color.red : Color.primary)
                                Text([line.kind, line.date, line.due.isEmpty ? "" : words(lang, "hạn \(line.due)", "due \(line.due)")]
                                        .filter { !$0.isEmpty }.joined(separator: " · ")).font(.subheadline)
                                if line.conflict { Text(words(lang, "Có xung đột", "Has a conflict")).font(.caption).foregroundStyle(.orange) }
                            }
                            .frame(minHeight: 44)
                        }
                    }
                }
                .searchable(text: $list.query, prompt: words(lang, "Tìm (không cần dấu)", "Search (accents optional)"))
            }
        }
        .navigationTitle(kind.map { kindLabel(kind: $0, lang: lang) } ?? words(lang, "Hồ sơ", "Records"))
        .toolbar {
            if let kind {
                NavigationLink(value: Screen.edit(kind: kind, id: nil)) { Label(words(lang, "Thêm mới", "New"), systemImage: "plus") }
            }
        }
        .task { if model == nil { model = RecordsModel(store: store, kind: kind, lang: app.lang) } }
    }
}
