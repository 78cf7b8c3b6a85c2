// The unit's quarterly, six-month or annual report, computed on the phone from its own records,
// laid out for the screen and as plain text to share (Zalo, SMS, e-mail).
import SotayCore

public struct ReportLine: Equatable {
    public let label: String
    public let value: String
}

public struct ReportBlock: Equatable {
    public let title: String
    public let lines: [ReportLine]
}

public struct ReportScreen: Equatable {
    public let title: String
    public let subtitle: String
    public let blocks: [ReportBlock]
    public let warnings: [String]
}

@MainActor
public struct ReportModel {
    private let store: Store
    private let lang: Lang

    public init(store: Store, lang: Lang = .vi) {
        self.store = store
        self.lang = lang
    }

    /// `period`: `2026-Q4`, `2026-H1` or `2026`.
    public func load(period: String, convention: Convention = .calendar, unit: String? = nil) throws -> ReportScreen {
        layout(try store.report(unit: unit, period: period, convention: convention))
    }

    public func layout(_ r: UnitReport) -> ReportScreen {
        let vi = lang == .vi
        return ReportScreen(
            title: "\(r.unitName) — \(vi ? r.periodVi : r.periodEn)",
            subtitle: "\(dateText(iso: r.firstDay, lang: lang)) – \(dateText(iso: r.lastDay, lang: lang))",
            blocks: r.sections.map { s in
                ReportBlock(title: kindLabel(kind: s.kind, lang: lang), lines: s.rows.map { ReportLine(label: vi ? $0.vi : $0.en, value: vi ? $0.shownVi : $0.shownEn) })
            },
            warnings: r.noFrontSessionIn.map {
                words(lang, "Chưa làm việc với Mặt trận Tổ quốc trong kỳ \($0)", "No session with the Fatherland Front in \($0)")
            })
    }

    /// Title, then one line per figure that is not zero.
    public func shareText(_ screen: ReportScreen) -> String {
        var out = [screen.title, screen.subtitle]
        for block in screen.blocks {
            let lines = block.lines.filter { $0.value != "0" && $0.value != "–" }
            if lines.isEmpty { continue }
            out.append("")
            out.append(block.title.uppercased())
            out += lines.map { "- \($0.label): \($0.value)" }
        }
        out += screen.warnings.map { "! \($0)" }
        return out.joined(separator: "\n")
    }
}
