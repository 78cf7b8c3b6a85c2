// The day of a commune official, through the Kotlin bindings, against the real library and a
// real sotay-server: run by scripts/kotlin-tests (which starts the server and passes its address,
// enrollment codes and admin command in the environment). Exits non-zero on the first failure.

import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import vn.sotay.core.*
import java.io.File
import java.nio.file.Files

var checks = 0

fun check(condition: Boolean, what: () -> String) {
    if (!condition) throw AssertionError(what())
    checks++
}

inline fun <reified E : Throwable> expectThrows(what: String, block: () -> Unit): E {
    try {
        block()
    } catch (e: Throwable) {
        if (e is E) {
            checks++
            return e
        }
        throw AssertionError("$what: expected ${E::class.simpleName}, got $e")
    }
    throw AssertionError("$what: expected ${E::class.simpleName}, nothing was thrown")
}

fun env(name: String): String = System.getenv(name) ?: throw IllegalStateException("$name is not set")

const val COMMUNE = "02266" // Xã Lâm Bình, Tỉnh Tuyên Quang
val everything = RecordFilter(kinds = listOf(), unit = null, status = null, from = null, to = null, overdue = false, includeDeleted = true, limit = 0u)

fun mediationOf(view: RecordView): MediationCase = (view.body as RecordBody.Mediation).v1

fun main() = runBlocking {
    val server = env("SOTAY_SERVER_URL")
    val dir = Files.createTempDirectory("sotay-kotlin").toFile()

    // An encrypted store, with a key as the Android Keystore would keep it.
    val key = newStoreKey()
    check(key.size == 32) { "a 256-bit key" }
    val a = Store.create(
        File(dir, "a.db").path,
        StoreKey.Raw(key),
        NewProfile(userId = "can.bo.a", displayName = "Nguyễn Văn A", role = Role.COMMUNE_OFFICIAL, unit = COMMUNE),
    )
    check(a.profile().role == Role.COMMUNE_OFFICIAL) { "the profile is kept" }

    // The UI subscribes to changes.
    val changes = Channel<List<String>>(Channel.UNLIMITED)
    val subscription = a.subscribe(object : StoreListener {
        override fun onChange(ids: List<String>) {
            changes.trySend(ids)
            // A listener may read the store at once: it is never called with the store locked.
            a.list(everything)
        }
    })

    // A dialogue and a mediation case.
    val dialogue = Dialogue(
        title = "Đối thoại về Đất đai và giải phóng mặt bằng",
        trigger = DialogueTrigger.PERIODIC,
        mode = DialogueMode.IN_PERSON,
        status = DialogueStatus.HELD,
        noticeOn = "2026-09-24",
        heldOn = "2026-10-03",
        place = "Nhà văn hóa thôn Nà Mè",
        attendance = Attendance(total = 120u, women = 54u, ethnicMinority = 98u),
        issues = listOf(
            RaisedIssue(topic = "Cấp giấy chứng nhận quyền sử dụng đất", responsibleUnit = "UBND xã", dueOn = "2026-11-01", status = IssueStatus.OPEN),
        ),
    )
    val dialogueId = a.createRecord(COMMUNE, RecordBody.Dialogue(dialogue))
    val mediation = MediationCase(
        title = "Tranh chấp ranh giới đất vườn giữa hai hộ",
        team = "Tổ hòa giải thôn Nà Mè",
        startedBy = MediationStart.PARTY_REQUEST,
        receivedOn = "2026-09-20",
        category = DisputeCategory.LAND,
        parties = listOf(
            Party(partyType = PartyType.HOUSEHOLD, name = "Giàng A Sử", vulnerability = Vulnerability()),
            Party(partyType = PartyType.HOUSEHOLD, name = "Lò Thị Mai", vulnerability = Vulnerability(elderly = true)),
        ),
        eligibility = Eligibility(checked = true),
        outcome = MediationOutcome.IN_PROGRESS,
        followUp = FollowUp.PENDING,
    )
    val mediationId = a.createRecord(COMMUNE, RecordBody.Mediation(mediation))
    val heard = mutableSetOf<String>()
    withTimeout(5_000) { while (!heard.containsAll(listOf(dialogueId, mediationId))) heard += changes.receive() }
    check(heard.containsAll(listOf(dialogueId, mediationId))) { "the subscription heard both new records: $heard" }

    // Read back: the typed body, the law's flags and deadlines.
    val shown = a.record(dialogueId)
    check((shown.body as RecordBody.Dialogue).v1.title == dialogue.title) { "the dialogue reads back" }
    check(shown.deadlines.any { it.deadline.code == DeadlineCode.PUBLISH_RESULTS }) { "publication of results is due" }

    // Edit.
    val edited = mediationOf(a.record(mediationId)).copy(team = "Tổ hòa giải số 2")
    a.updateRecord(mediationId, RecordBody.Mediation(edited))
    check(mediationOf(a.record(mediationId)).team == "Tổ hòa giải số 2") { "the edit is saved" }

    // Search, with and without diacritics.
    for (query in listOf("Đất đai", "dat dai", "DAT DAI", "giai phong mat bang")) {
        check(a.search(query, everything).any { it.id == dialogueId }) { "search '$query' finds the dialogue" }
    }
    val disputes = a.search("tranh chap ranh gioi", everything).map { it.id }
    check(disputes == listOf(mediationId)) { "search finds the mediation case and not the dialogue: $disputes" }

    // History: who changed which field, from what, to what.
    val history = a.history(mediationId)
    check(history.size == 2) { "creation and one edit: $history" }
    val teamChange = history.last().fields.single { it.path == "team" }
    check(teamChange.from == FieldValue.Text("Tổ hòa giải thôn Nà Mè") && teamChange.to == FieldValue.Text("Tổ hòa giải số 2")) { "$teamChange" }
    check(history.last().author.user == "can.bo.a") { "the author is recorded" }

    // Enroll against the real server, sync, and follow the progress.
    a.enroll(server, env("SOTAY_CODE_A"), "Điện thoại của A")
    val progress = mutableListOf<SyncReport>()
    val report = a.sync(object : SyncListener {
        override fun onProgress(report: SyncReport) {
            // A listener may call the store: it never runs on the async runtime's threads.
            a.syncStatus()
            synchronized(progress) { progress += report }
        }
    }, SyncCancel())
    check(report.pushedChanges >= 3uL) { "the records went up: $report" }
    for (i in 0 until 50) { if (synchronized(progress) { progress.isNotEmpty() }) break; Thread.sleep(100) }
    check(synchronized(progress) { progress.isNotEmpty() && progress.last().bytesSent > 0uL }) { "progress was reported" }
    check(a.syncStatus().pending == 0uL) { "nothing waits" }
    check(a.history(mediationId).all { it.serverTime != null }) { "history carries the server's time" }

    // A second device of the commune receives them.
    val b = Store.create(
        File(dir, "b.db").path,
        StoreKey.Raw(newStoreKey()),
        NewProfile(userId = "can.bo.b", displayName = "Lò Văn B", role = Role.COMMUNE_OFFICIAL, unit = COMMUNE),
    )
    b.enroll(server, env("SOTAY_CODE_B"), "Điện thoại của B")
    b.sync(null, null)
    check(b.list(everything).map { it.id }.containsAll(listOf(dialogueId, mediationId))) { "B received both records" }

    // Both set the outcome offline; after syncing, A sees a conflict with both values and authors.
    a.updateRecord(mediationId, RecordBody.Mediation(mediationOf(a.record(mediationId)).copy(outcome = MediationOutcome.FAILURE)))
    b.updateRecord(mediationId, RecordBody.Mediation(mediationOf(b.record(mediationId)).copy(outcome = MediationOutcome.WITHDRAWN)))
    b.sync(null, null)
    a.sync(null, null)
    val conflict = a.record(mediationId).conflicts.single { it.path == "outcome" }
    check(conflict.values.map { it.author.user }.toSet() == setOf("can.bo.a", "can.bo.b")) { "both authors: $conflict" }
    check(a.conflicts().any { it.id == mediationId }) { "the conflict is listed" }
    expectThrows<SotayException.Conflict>("resolving a field with no conflict") {
        a.resolveConflict(mediationId, "team", FieldValue.Text("x"))
    }
    a.resolveConflict(mediationId, "outcome", FieldValue.Text("withdrawn"))
    a.sync(null, null)
    b.sync(null, null)
    check(b.record(mediationId).conflicts.isEmpty()) { "resolved on B too" }
    check(mediationOf(b.record(mediationId)).outcome == MediationOutcome.WITHDRAWN) { "the chosen outcome" }

    // Error paths arrive as typed exceptions.
    expectThrows<SotayException.WrongKey>("opening with the wrong key") {
        Store.open(File(dir, "a.db").path, StoreKey.Raw(newStoreKey()))
    }
    expectThrows<SotayException.WrongKey>("a key of the wrong length") {
        Store.open(File(dir, "a.db").path, StoreKey.Raw(byteArrayOf(1, 2, 3)))
    }
    val bad = expectThrows<SotayException.InvalidInput>("more women than attendees") {
        a.updateRecord(dialogueId, RecordBody.Dialogue(dialogue.copy(attendance = Attendance(total = 10u, women = 11u))))
    }
    check(bad.fields.any { it.path == "attendance.women" }) { "the field is named: ${bad.fields}" }
    check(!bad.reason.contains("Giàng")) { "no personal data in errors" }
    val notADate = expectThrows<SotayException.InvalidInput>("a date that is not a date") {
        a.updateRecord(dialogueId, RecordBody.Dialogue(dialogue.copy(heldOn = "2026-13-45")))
    }
    check(notADate.fields.single().problem == "invalid_value") { "${notADate.fields}" }
    expectThrows<SotayException.NotFound>("a record that is not there") { a.record("01a21424-b11a-7417-8a6c-f519b713bee3") }
    expectThrows<SotayException.InvalidInput>("a forged id") { a.record("../../etc/passwd") }
    expectThrows<SotayException.InvalidInput>("an unknown unit") { a.createRecord("99999", RecordBody.Dialogue(dialogue)) }

    // A revoked device is refused.
    val c = Store.create(
        File(dir, "c.db").path,
        StoreKey.Passphrase("mật khẩu của thiết bị C"),
        NewProfile(userId = "can.bo.a", displayName = "Nguyễn Văn A", role = Role.COMMUNE_OFFICIAL, unit = COMMUNE),
    )
    c.enroll(server, env("SOTAY_CODE_A2"), "Máy tính bảng")
    c.sync(null, null)
    val revoke = ProcessBuilder(env("SOTAY_SERVER_BIN"), "--data", env("SOTAY_SERVER_DATA"), "device", "revoke", c.syncStatus().deviceId!!)
        .inheritIO().start()
    check(revoke.waitFor() == 0) { "the administrator revokes device C" }
    expectThrows<SotayException.Unauthorized>("syncing a revoked device") { runBlocking { c.sync(null, null) } }
    expectThrows<SotayException.Unauthorized>("a used enrollment code") {
        runBlocking { Store.create(File(dir, "d.db").path, StoreKey.Raw(newStoreKey()), NewProfile("x", "x", Role.MEDIATOR, COMMUNE)).enroll(server, env("SOTAY_CODE_A2"), "d") }
    }
    expectThrows<SotayException.NotEnrolled>("syncing before enrolling") {
        runBlocking { Store.create(File(dir, "e.db").path, StoreKey.Raw(newStoreKey()), NewProfile("x", "x", Role.MEDIATOR, COMMUNE)).sync(null, null) }
    }

    // The commune's reports, computed on the phone: the mediation case in Q3, the dialogue in Q4.
    fun figure(report: UnitReport, code: String): ReportValue =
        report.sections.flatMap { it.rows }.single { it.code == code }.value
    val q3 = a.report(null, "2026-Q3", Convention.CALENDAR)
    check(q3.unitName == "Xã Lâm Bình" && q3.periodVi == "Quý III năm 2026") { "${q3.unitName} ${q3.periodVi}" }
    check(figure(q3, "mediation.received") == ReportValue.Count(1uL)) { "one case in Q3" }
    check(figure(q3, "dialogue.held") == ReportValue.Count(0uL)) { "no dialogue in Q3" }
    val q4 = a.report(COMMUNE, "2026-Q4", Convention.STATISTICAL)
    check(q4.firstDay == "2026-09-15" && q4.lastDay == "2026-12-14") { "Decree 09/2019 periods: ${q4.firstDay}" }
    check(figure(q4, "dialogue.held") == ReportValue.Count(1uL)) { "the dialogue of 3/10 in Q4" }
    check(q4.sections.flatMap { it.rows }.none { it.vi.contains("Giàng") }) { "no personal data in reports" }
    val badPeriod = expectThrows<SotayException.InvalidInput>("a period that is not one") { a.report(null, "Quý 3", Convention.CALENDAR) }
    check(badPeriod.fields.single().path == "period") { "${badPeriod.fields}" }

    // Reference data.
    check(searchUnits("lam binh", 10u).any { it.code == "02266" }) { "units are searchable without diacritics" }
    check(ethnicGroups().size == 54) { "the 54 ethnic groups" }

    // Ending the subscription ends the notifications.
    subscription.cancel()
    while (changes.tryReceive().isSuccess) {}
    a.deleteRecord(dialogueId, "Nhập trùng")
    Thread.sleep(300)
    check(changes.tryReceive().isFailure) { "no notification after cancel" }
    check(a.record(dialogueId).deleted?.reason == "Nhập trùng") { "deletion is a tombstone with the reason" }

    println("Kotlin scenario: $checks checks passed")
}
