package vn.sotay.app.logic

import vn.sotay.core.dateText
import vn.sotay.core.Lang
import vn.sotay.core.Convention
import vn.sotay.core.Store
import vn.sotay.core.UnitReport

data class ReportLine(val label: String, val value: String)
data class ReportBlock(val title: String, val lines: List<ReportLine>)
data class ReportScreen(val title: String, val subtitle: String, val blocks: List<ReportBlock>, val warnings: List<String>)

/** The unit's report, computed on the phone, laid out for the screen and for sharing. */
class ReportModel(private val store: Store, private val lang: Lang = Lang.VI) {
    fun load(period: String, convention: Convention = Convention.CALENDAR, unit: String? = null): ReportScreen =
        layout(store.report(unit, period, convention))

    fun layout(r: UnitReport): ReportScreen {
        val vi = lang == Lang.VI
        return ReportScreen(
            title = "${r.unitName} — ${if (vi) r.periodVi else r.periodEn}",
            subtitle = "${dateText(r.firstDay, lang)} – ${dateText(r.lastDay, lang)}",
            blocks = r.sections.map { s ->
                ReportBlock(s.kind.label(lang), s.rows.map { ReportLine(if (vi) it.vi else it.en, if (vi) it.shownVi else it.shownEn) })
            },
            warnings = r.noFrontSessionIn.map {
                Words.of(lang, "Chưa làm việc với Mặt trận Tổ quốc trong kỳ $it", "No session with the Fatherland Front in $it")
            },
        )
    }

    /** Plain text to share (Zalo, SMS, e-mail): title, then one line per figure that is not zero. */
    fun shareText(screen: ReportScreen): String = buildString {
        appendLine(screen.title)
        appendLine(screen.subtitle)
        for (b in screen.blocks) {
            val lines = b.lines.filter { it.value != "0" && it.value != "–" }
            if (lines.isEmpty()) continue
            appendLine()
            appendLine(b.title.uppercase())
            lines.forEach { appendLine("- ${it.label}: ${it.value}") }
        }
        screen.warnings.forEach { appendLine("! $it") }
    }.trimEnd()
}
