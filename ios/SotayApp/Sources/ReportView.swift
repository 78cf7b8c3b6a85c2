// The unit's report for a quarter, a half-year or the year, computed on the phone, shareable as
// text (Zalo, Messages, Mail).
import SotayAppModel
import SotayCore
import SwiftUI

struct ReportView: View {
    let store: Store
    @Environment(AppState.self) private var app
    @State private var period = ReportView.periods().first ?? ""
    @State private var screen: ReportScreen?
    @State private var problem: String?

    /// This year's quarters, halves and the year, newest first.
    static func periods(now: Date = Date()) -> [String] {
        let year = String(todayInVietnam(nowMs: Int64(now.timeIntervalSince1970 * 1000)).prefix(4))
        return ["\(year)-Q4", "\(year)-Q3", "\(year)-Q2", "\(year)-Q1", "\(year)-H2", "\(year)-H1", year]
    }

    var body: some View {
        let lang = app.lang
        let model = ReportModel(store: store, lang: lang)
        List {
            Picker(words(lang, "Kỳ báo cáo", "Period"), selection: $period) {
                ForEach(ReportView.periods(), id: \.self) { Text($0).tag($0) }
            }
            if let screen {
                Section {
                    Text(screen.title).font(.headline)
                    Text(screen.subtitle).foregroundStyle(.secondary)
                    ForEach(screen.warnings, id: \.self) { Text($0).foregroundStyle(.orange) }
                    ShareLink(item: model.shareText(screen)) { Label(words(lang, "Chia sẻ", "Share"), systemImage: "square.and.arrow.up") }
                }
                ForEach(screen.blocks, id: \.title) { block in
                    Section(block.title) {
                        ForEach(block.lines, id: \.label) { line in
                            LabeledContent(line.label, value: line.value)
                        }
                    }
                }
            }
            if let problem { Text(problem).foregroundStyle(.red) }
        }
        .navigationTitle(words(lang, "Báo cáo", "Report"))
        .task(id: period) {
            do {
                screen = try model.load(period: period)
                problem = nil
            } catch {
                problem = Words.problem(error, lang: lang)
            }
        }
    }
}
