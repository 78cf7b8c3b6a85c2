// The create/edit form of every kind of record: the rows the core describes (headings, fields,
// list items with "add" and "remove"), drawn one after the other. Nothing here knows a kind.
import SotayAppModel
import SotayCore
import SwiftUI

struct RecordFormView: View {
    let store: Store
    let kind: RecordKind
    let id: String?
    @Environment(AppState.self) private var app
    @State private var model: RecordFormModel?
    @State private var problem: String?

    var body: some View {
        let lang = app.lang
        Form {
            if let model {
                ForEach(model.rows, id: \.path) { row in
                    FormRowView(model: model, row: row, lang: lang)
                        .padding(.leading, CGFloat(row.depth) * 12)
                }
                Section {
                    BigButton(title: words(lang, "Lưu", "Save")) { save(model) }
                    if let problem { Text(problem).foregroundStyle(.red) }
                }
            }
        }
        .navigationTitle(kindLabel(kind: kind, lang: lang))
        .task { open() }
    }

    private func open() {
        guard model == nil else { return }
        // New records go to the user's own unit (a commune official's commune).
        if let id {
            do { model = try RecordFormModel.edit(store: store, id: id, lang: app.lang) } catch { problem = Words.problem(error, lang: app.lang) }
        } else {
            model = RecordFormModel.create(store: store, unit: store.profile().unit, kind: kind, lang: app.lang)
        }
    }

    private func save(_ model: RecordFormModel) {
        switch model.save() {
        case let .saved(id):
            problem = nil
            app.navigator.saved(id: id)
        case let .invalid(errors):
            problem = words(app.lang, "Có \(errors.count) mục cần sửa (ghi màu đỏ).", "\(errors.count) fields need fixing (in red).")
        case let .failed(message):
            problem = message
        }
    }
}

private struct FormRowView: View {
    let model: RecordFormModel
    let row: FormRow
    let lang: Lang

    var body: some View {
        switch row.kind {
        case .section:
            Text(row.label).font(.headline).padding(.top, 8)
        case .list:
            HStack {
                Text(row.label).font(.headline)
                Spacer()
                Button(words(lang, "+ Thêm", "+ Add")) { model.addItem(row.path) }.frame(minHeight: 44)
            }
        case .item:
            HStack {
                Text(row.label).font(.subheadline.bold())
                Spacer()
                Button(words(lang, "Xóa", "Remove"), role: .destructive) { model.removeItem(row.path) }.frame(minHeight: 44)
            }
        case .text, .longText, .date, .count:
            VStack(alignment: .leading, spacing: 4) {
                // A star marks what the record cannot be saved without.
                Text(row.required ? "\(row.label) *" : row.label).font(.caption).foregroundStyle(.secondary)
                HStack {
                    TextField(row.kind == .date ? "DD/MM/YYYY" : row.label, text: text, axis: row.kind == .longText ? .vertical : .horizontal)
                        .lineLimit(row.kind == .longText ? 3...8 : 1...1)
                        .keyboardType(row.kind == .count ? .numberPad : (row.kind == .date ? .numbersAndPunctuation : .default))
                        .frame(minHeight: 44)
                    if row.removable {
                        Button(words(lang, "Xóa", "Remove"), role: .destructive) { model.removeItem(row.path) }
                    }
                }
                if let problem = row.problem { Text(problem).font(.footnote).foregroundStyle(.red) }
            }
        case .flag:
            Toggle(row.label, isOn: Binding(get: { row.on }, set: { model.setFlag(row.path, $0) })).frame(minHeight: 44)
        case .choice:
            Picker(row.label, selection: Binding(get: { row.options.first(where: \.selected)?.code ?? "" }, set: { model.choose(row.path, $0) })) {
                ForEach(row.options, id: \.code) { option in Text(option.label).tag(option.code) }
            }
            .pickerStyle(.navigationLink)
        case .choices:
            VStack(alignment: .leading) {
                Text(row.label).font(.caption).foregroundStyle(.secondary)
                ForEach(row.options, id: \.code) { option in
                    Toggle(option.label, isOn: Binding(get: { option.selected }, set: { _ in model.toggle(row.path, option.code) }))
                        .frame(minHeight: 44)
                }
            }
        }
    }

    private var text: Binding<String> {
        Binding(get: { model.text(of: row) }, set: { model.setText(row.path, $0) })
    }
}
