package vn.sotay.app.logic

import vn.sotay.core.Lang
import java.time.Instant
import java.time.LocalDate
import java.time.ZoneOffset
import java.time.format.DateTimeFormatter
import java.time.temporal.ChronoUnit

/** Vietnam's offset: what users see, whatever the phone's zone says. */
val VIETNAM: ZoneOffset = ZoneOffset.ofHours(7)

/** Dates, numbers and deadlines as Vietnamese documents write them. */
object VnFormat {
    private val dayMonthYear = DateTimeFormatter.ofPattern("dd/MM/yyyy")
    private val dayMonthYearTime = DateTimeFormatter.ofPattern("dd/MM/yyyy HH:mm")

    /** `2026-10-03` → `03/10/2026` (Vietnamese) or as is (English); blank for none. */
    fun date(iso: String?, lang: Lang = Lang.VI): String {
        if (iso.isNullOrBlank()) return ""
        val d = runCatching { LocalDate.parse(iso) }.getOrNull() ?: return iso
        return if (lang == Lang.VI) d.format(dayMonthYear) else iso
    }

    /** An instant (ms since the epoch) in Vietnam time. */
    fun instant(millis: Long, lang: Lang = Lang.VI): String {
        val t = Instant.ofEpochMilli(millis).atOffset(VIETNAM)
        return if (lang == Lang.VI) t.format(dayMonthYearTime) else t.format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm"))
    }

    /** `1234567` → `1.234.567` (Vietnamese) or `1,234,567`. */
    fun number(n: Long, lang: Lang = Lang.VI): String {
        val sep = if (lang == Lang.VI) '.' else ','
        val digits = kotlin.math.abs(n).toString()
        val grouped = digits.reversed().chunked(3).joinToString(sep.toString()).reversed()
        return if (n < 0) "-$grouped" else grouped
    }

    /** How far a deadline is, in words: "Còn 3 ngày", "Hôm nay", "Quá hạn 5 ngày". */
    fun dueIn(dueIso: String, today: LocalDate, lang: Lang = Lang.VI): String {
        val due = runCatching { LocalDate.parse(dueIso) }.getOrNull() ?: return dueIso
        val days = ChronoUnit.DAYS.between(today, due)
        return when {
            days == 0L -> if (lang == Lang.VI) "Hạn hôm nay" else "Due today"
            days > 0 -> if (lang == Lang.VI) "Còn $days ngày" else "$days ${if (days == 1L) "day" else "days"} left"
            else -> if (lang == Lang.VI) "Quá hạn ${-days} ngày" else "${-days} ${if (days == -1L) "day" else "days"} overdue"
        }
    }

    /** Today in Vietnam. */
    fun today(nowMillis: Long = System.currentTimeMillis()): LocalDate =
        Instant.ofEpochMilli(nowMillis).atOffset(VIETNAM).toLocalDate()
}
