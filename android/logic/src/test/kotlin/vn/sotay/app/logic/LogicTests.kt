// The Android app's logic on the JVM, against the real library and a real sotay-server (run by
// scripts/android-logic-tests through scripts/with-test-server). A plain runner: the Android
// SDK and JUnit cannot be fetched here; every check can fail and a failure exits non-zero.
package vn.sotay.app.logic

import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import kotlinx.coroutines.flow.first
import vn.sotay.core.*
import java.io.File
import java.nio.file.Files
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertIs
import kotlin.test.assertNull
import kotlin.test.assertTrue
import kotlin.test.fail

private fun env(name: String) = System.getenv(name) ?: throw IllegalStateException("$name is not set")
private val dir: File = Files.createTempDirectory("sotay-android-logic").toFile()
private const val COMMUNE = "02266"

private class MemoryVault : KeyVault {
    private var key: ByteArray? = null
    var created = 0
    override fun storeKey(): ByteArray = key ?: newStoreKey().also { key = it; created++ }
}

private fun newStore(name: String): Store = Store.create(
    File(dir, name).path,
    StoreKey.Raw(newStoreKey()),
    NewProfile(userId = "can.bo.a", displayName = "Nguyễn Văn A", role = Role.COMMUNE_OFFICIAL, unit = COMMUNE),
)

private fun dialogue(title: String, status: DialogueStatus, heldOn: String? = null, noticeOn: String? = null,
                     attendance: Attendance = Attendance(total = 0u, women = 0u, ethnicMinority = 0u), issues: List<RaisedIssue> = emptyList()) =
    Dialogue(title = title, trigger = DialogueTrigger.PERIODIC, mode = DialogueMode.IN_PERSON, status = status, heldOn = heldOn,
        noticeOn = noticeOn, attendance = attendance, issues = issues)

// Formatting, the sync policy and enrollment codes live in the core (one copy for Android and
// iOS, unit-tested in Rust); these check that the Kotlin app reaches them as it uses them.
fun sharedPhoneFunctions() {
    assertEquals("03/10/2026", dateText("2026-10-03", Lang.VI))
    assertEquals("2026-10-03", dateText("2026-10-03", Lang.EN))
    assertEquals("", dateText(null, Lang.VI))
    assertEquals("1.234.567", numberText(1_234_567, Lang.VI))
    assertEquals("1,234,567", numberText(1_234_567, Lang.EN))
    assertEquals("Quá hạn 5 ngày", dueInText("2026-11-20", "2026-11-25", Lang.VI))
    assertEquals("1 day overdue", dueInText("2026-11-24", "2026-11-25", Lang.EN))
    // Vietnam time whatever the JVM's zone: the epoch was 07:00 in Hà Nội.
    assertEquals("01/01/1970 07:00", instantText(0, Lang.VI))
    assertEquals("2026-11-26", todayInVietnam(java.time.Instant.parse("2026-11-25T17:30:00Z").toEpochMilli()))
    val bad = runCatching { dueInText("2026-11-20", "25/13/2026", Lang.VI) }.exceptionOrNull()
    assertIs<SotayException.InvalidInput>(bad, "a today that is not a date is refused")

    val wifi = NetworkState(connected = true, metered = false)
    val mobile = NetworkState(connected = true, metered = true)
    val now = 1_000_000_000L
    assertEquals(SyncDecision.WaitForNetwork, syncDecision(SyncSettings(), NetworkState(false, false), SyncMoment(pending = 5u, now = now, manual = true)))
    assertEquals(SyncDecision.Now(false), syncDecision(SyncSettings(), mobile, SyncMoment(pending = 1u, lastSyncAt = now, now = now)), "attachments wait for Wi-Fi")
    assertEquals(SyncDecision.Now(true), syncDecision(SyncSettings(attachmentsOnMetered = true), mobile, SyncMoment(pending = 1u, now = now)))
    assertEquals(SyncDecision.Later(50_000), syncDecision(SyncSettings(), wifi, SyncMoment(pending = 3u, failuresInARow = 2u, lastAttemptAt = now - 10_000, now = now)))
    assertEquals(SyncDecision.Later(20 * 60_000L), syncDecision(SyncSettings(), wifi, SyncMoment(lastSyncAt = now - 10 * 60_000L, now = now)))
    assertEquals(30 * 60_000L, syncBackoffMs(40u))

    assertEquals(EnrollmentCode("ABCDE-FGHIJ", "https://sotay.tuyenquang.gov.vn"), parseEnrollmentCode("sotay://enroll?server=https://sotay.tuyenquang.gov.vn&code=ABCDE-FGHIJ"))
    assertEquals(EnrollmentCode("ABCDE-FGHIJ", null), parseEnrollmentCode("  abcde - fghij "))
    assertNull(parseEnrollmentCode("xin chào"))
    assertNull(parseEnrollmentCode("sotay://enroll?server=javascript:alert(1)&code=ABCDE-FGHIJ"))
}

fun enrollmentAgainstTheServer() = runBlocking {
    val vault = MemoryVault()
    val path = File(dir, "enrolled.db").path
    val flow = EnrollmentFlow(vault, path)
    val bad = flow.enroll("ZZZZZ-ZZZZZ", env("SOTAY_SERVER_URL"), "Điện thoại thử")
    assertIs<EnrollmentFlow.Outcome.Problem>(bad)
    assertTrue(bad.message.contains("quản trị viên"), bad.message)
    assertFalse(File(path).exists(), "a refused code leaves no store behind")
    val qr = "sotay://enroll?server=${env("SOTAY_SERVER_URL")}&code=${env("SOTAY_CODE_A")}"
    val ok = flow.enroll(qr, null, "Điện thoại của A")
    assertIs<EnrollmentFlow.Outcome.Enrolled>(ok)
    // The role and unit come from enrollment; the key was made once and kept in the vault.
    assertEquals(Role.COMMUNE_OFFICIAL, ok.store.profile().role)
    assertEquals(COMMUNE, ok.store.profile().unit)
    assertEquals("can.bo.a", ok.store.profile().userId)
    assertEquals(1, vault.created)
    val reopened = Store.open(path, StoreKey.Raw(vault.storeKey()))
    assertTrue(reopened.syncStatus().enrolled)
    val again = flow.enroll(env("SOTAY_CODE_A3"), env("SOTAY_SERVER_URL"), "x")
    assertIs<EnrollmentFlow.Outcome.Problem>(again, "a store is already there: the code is not spent")
}

fun homeAndSync() = runBlocking {
    val store = newStore("home.db")
    val today = "2026-11-25"
    val home = HomeModel(store, today = { today })
    assertEquals(0, home.state.value.overdue.size)
    // A complaint received 1/11 and never accepted: the 10-day limit passed on 11/11.
    store.createRecord(COMMUNE, RecordBody.Petition(Petition(title = "Khiếu nại về bồi thường đất", petitionType = PetitionType.COMPLAINT, receivedOn = "2026-11-01",
        channel = Channel.IN_PERSON, petitioner = PetitionSubject(), complexity = Complexity.NORMAL, status = PetitionStatus.RECEIVED)))
    // An issue due in three days, from a dialogue.
    store.createRecord(COMMUNE, RecordBody.Dialogue(dialogue(title = "Đối thoại về nước sạch", status = DialogueStatus.PLANNED, heldOn = "2026-12-05",
        issues = listOf(RaisedIssue(topic = "Nước sinh hoạt", dueOn = "2026-11-28", status = IssueStatus.OPEN)))))
    // The subscription refreshes the state by itself.
    val state = withTimeout(5_000) { home.state.first { it.overdue.size == 1 && it.dueSoon.size == 1 } }
    assertEquals("Khiếu nại về bồi thường đất", state.overdue.single().title)
    assertTrue(state.overdue.single().dueText.startsWith("Quá hạn"), state.overdue.single().dueText)
    assertEquals("Còn 3 ngày", state.dueSoon.single().dueText)
    assertEquals(2L, state.pending)
    assertNull(state.lastSync)
    home.close()

    // Sync now, against the real server, with progress and the last sync shown.
    store.enroll(env("SOTAY_SERVER_URL"), env("SOTAY_CODE_A2"), "Máy tính bảng")
    val sync = SyncController(store, this)
    sync.syncNow().join()
    val done = sync.state.value
    assertNull(done.problem, "${done.problem}")
    assertFalse(done.running)
    assertTrue(done.recordsSent >= 2 && done.bytes > 0, "$done")
    assertEquals(0uL, store.syncStatus().pending)
    val after = HomeModel(store, today = { today })
    assertTrue(after.state.value.lastSync != null)
    after.close()

    // A server that is not there: a plain sentence, nothing lost.
    val offline = newStore("offline.db")
    offline.createRecord(COMMUNE, RecordBody.Dialogue(dialogue(title = "Đối thoại khi mất mạng", status = DialogueStatus.PLANNED, heldOn = "2026-12-05")))
    try {
        offline.enroll("http://127.0.0.1:9", "ABCDE-FGHIJ", "x")
        fail("enrolling with no server must fail")
    } catch (e: SotayException.Network) {
        assertTrue(Words.problem(e).contains("Dữ liệu vẫn an toàn"))
    }
    assertEquals(1uL, offline.syncStatus().pending)
}

fun formsAndReports() {
    val store = newStore("forms.db")
    val dialogue = dialogue(title = "Đối thoại về đất đai", status = DialogueStatus.HELD, heldOn = "2026-10-03", noticeOn = "2026-09-24",
        attendance = Attendance(total = 120u, women = 54u, ethnicMinority = 98u))
    val id = store.createRecord(COMMUNE, RecordBody.Dialogue(dialogue))
    try {
        store.updateRecord(id, RecordBody.Dialogue(dialogue.copy(attendance = Attendance(total = 10u, women = 11u))))
        fail("more women than attendees must be refused")
    } catch (e: SotayException.InvalidInput) {
        val errors = FormErrors.byField(e)
        assertTrue(errors.containsKey("attendance.women"), "$errors")
        assertFalse(errors.getValue("attendance.women").contains(" / "), "one language: ${errors.getValue("attendance.women")}")
    }
    val model = ReportModel(store)
    val screen = model.load("2026-Q4")
    assertEquals("Xã Lâm Bình — Quý IV năm 2026", screen.title)
    assertEquals("01/10/2026 – 31/12/2026", screen.subtitle)
    val dialogues = screen.blocks.first { it.title == "Đối thoại trực tiếp" }
    assertEquals("1", dialogues.lines.first { it.label == "Số cuộc đối thoại đã tổ chức" }.value)
    val text = model.shareText(screen)
    assertTrue(text.contains("- Số cuộc đối thoại đã tổ chức: 1"), text)
    assertFalse(text.contains(": 0"), "zeros are left out of the shared text")
    val year = ReportModel(store, Lang.EN).load("2026")
    assertTrue(year.warnings.any { it.contains("2026-H1") }, "${year.warnings}")
}

// Any kind's form from the core's description of it: a mediation case with its parties, the
// eligibility check and a session, filled in as a person taps and types.
fun recordForms() {
    val store = newStore("record-forms.db")
    val form = RecordFormModel.create(store, COMMUNE, RecordKind.MEDIATION)
    val labels = form.state.value.rows.associate { it.path to it.label }
    assertEquals("Loại tranh chấp", labels["category"])
    assertEquals(RowKind.LIST, form.state.value.rows.first { it.path == "parties" }.kind)
    // The form marks what the store requires: a title and the date received, not the team.
    val required = form.state.value.rows.filter { it.required }.map { it.path }.toSet()
    assertEquals(setOf("title", "received_on"), required)
    form.setText("title", "Tranh chấp ranh giới đất vườn giữa hai hộ")
    form.setText("team", "Tổ hòa giải thôn Nà Mè")
    form.setText("received_on", "20/09/2026")
    form.choose("category", "land")
    form.addItem("parties")
    form.addItem("parties")
    form.setText("parties.0.name", "Giàng A Sử")
    form.setText("parties.1.name", "Lò Thị Mai")
    form.setFlag("parties.1.vulnerability.elderly", true)
    form.setFlag("eligibility.checked", true)
    form.addItem("sessions")
    // Half-typed, the date stays as typed and its row says what is wrong.
    form.setText("sessions.0.held_on", "27/09/20")
    val half = form.state.value.rows.first { it.path == "sessions.0.held_on" }
    assertEquals("27/09/20", form.textOf(half))
    assertTrue(half.problem?.contains("Ngày tổ chức") == true, "${half.problem}")
    assertIs<SaveResult.Invalid>(form.save(), "a date that does not read is not saved")
    form.setText("sessions.0.held_on", "27/09/2026")
    assertNull(form.state.value.rows.first { it.path == "sessions.0.held_on" }.problem)
    val saved = form.save()
    assertIs<SaveResult.Saved>(saved, "$saved")
    val m = (store.record(saved.id).body as RecordBody.Mediation).v1
    assertEquals(listOf("Giàng A Sử", "Lò Thị Mai"), m.parties.map { it.name })
    assertTrue(m.parties[1].vulnerability.elderly)
    assertEquals(DisputeCategory.LAND, m.category)
    assertEquals("2026-09-27", m.sessions.single().heldOn)

    // Editing: remove a party, and the store's own rule shows under its field.
    val edit = RecordFormModel.edit(store, saved.id)
    val version = edit.state.value.version
    edit.removeItem("parties.0")
    assertTrue(edit.state.value.version > version)
    assertEquals("Lò Thị Mai", edit.state.value.rows.first { it.path == "parties.0.name" }.text)
    assertIs<SaveResult.Saved>(edit.save())
    assertEquals(1, (store.record(saved.id).body as RecordBody.Mediation).v1.parties.size)

    val meeting = RecordFormModel.create(store, COMMUNE, RecordKind.DIALOGUE, Lang.EN)
    meeting.setText("title", "Đối thoại về nước sạch")
    meeting.choose("status", "held")
    meeting.setText("held_on", "2026-10-03")
    meeting.setText("attendance.total", "10")
    meeting.setText("attendance.women", "11")
    val refused = meeting.save()
    assertIs<SaveResult.Invalid>(refused)
    assertTrue(refused.errors.containsKey("attendance.women"), "${refused.errors}")
    val women = meeting.state.value.rows.first { it.path == "attendance.women" }
    assertTrue(women.problem != null && !women.problem!!.contains(" / "), "in English only: ${women.problem}")
    form.close(); edit.close(); meeting.close()
}

// A mediation case's signed agreement: attached on the phone, held back on mobile data by the
// core's policy, sent on Wi-Fi.
fun attachmentsOnUnmeteredNetworks() = runBlocking {
    val store = newStore("attachments.db")
    store.enroll(env("SOTAY_SERVER_URL"), env("SOTAY_CODE_A4"), "Điện thoại hòa giải")
    val form = RecordFormModel.create(store, COMMUNE, RecordKind.MEDIATION)
    form.setText("title", "Tranh chấp lối đi chung ở thôn Khuôn Hẻ")
    form.setText("received_on", "02/10/2026")
    val id = (form.save() as SaveResult.Saved).id
    val files = AttachmentsModel(store, id)
    assertEquals(listOf("image/jpeg", "image/png", "application/pdf"), AttachmentsModel.MEDIA_TYPES)
    val scan = ("%PDF-1.4\nBiên bản hòa giải thành giữa hộ ông Hoàng Văn Thào và hộ bà Triệu Thị Mây, " +
        "thống nhất mở lối đi chung rộng 1,5 mét qua vườn.\n%%EOF").toByteArray()
    assertNull(files.attach("Biên bản hòa giải thành.pdf", "application/pdf", scan))
    assertTrue(files.attach("virus.exe", "application/x-msdownload", scan)?.isNotEmpty() == true, "a file type that is refused, in words")
    val line = files.lines().single()
    assertEquals("Biên bản hòa giải thành.pdf", line.name)
    assertTrue(line.onPhone && line.size.endsWith(" B"), "$line")

    var metered = true
    val sync = SyncController(store, this, network = { NetworkState(connected = true, metered = metered) })
    sync.syncNow().join()
    assertNull(sync.state.value.problem, "${sync.state.value.problem}")
    assertEquals(0L, sync.state.value.filesSent, "on mobile data the file waits")
    assertEquals(1L, sync.state.value.filesWaiting)
    metered = false
    sync.syncNow().join()
    assertEquals(1L, sync.state.value.filesSent)
    assertEquals(0L, sync.state.value.filesWaiting)
    val offline = SyncController(store, this, network = { NetworkState(connected = false, metered = false) })
    offline.syncNow().join()
    assertTrue(offline.state.value.problem?.contains("Chưa có mạng") == true, "${offline.state.value.problem}")
}

fun listsConflictsHistoryAndNavigation() = runBlocking {
    val a = newStore("list-a.db")
    val records = RecordsModel(a)
    val form = RecordFormModel.create(a, COMMUNE, RecordKind.DIALOGUE)
    form.setText("title", "Đối thoại về Đất đai và giải phóng mặt bằng")
    form.choose("status", "held")
    form.setText("held_on", "03/10/2026")
    form.setText("notice_on", "24/09/2026")
    val id = form.save()
    assertIs<SaveResult.Saved>(id, "$id")
    val untitled = RecordFormModel.edit(a, id.id)
    untitled.setText("title", "")
    val invalid = untitled.save()
    assertIs<SaveResult.Invalid>(invalid)
    assertTrue(invalid.errors.containsKey("title"), "${invalid.errors}")
    withTimeout(5_000) { records.state.first { it.lines.size == 1 } }
    records.search("dat dai")
    assertEquals(listOf("Đối thoại về Đất đai và giải phóng mặt bằng"), records.state.value.lines.map { it.title })
    records.search("hoa giai")
    assertTrue(records.state.value.lines.isEmpty())
    records.search("")
    records.kind(RecordKind.MEDIATION)
    assertTrue(records.state.value.lines.isEmpty())
    records.close()

    // History in words.
    a.updateRecord(id.id, RecordBody.Dialogue(dialogue(title = "Đối thoại về Đất đai và giải phóng mặt bằng", status = DialogueStatus.CANCELLED, heldOn = "2026-10-03", noticeOn = "2026-09-24")))
    val history = HistoryModel(a).lines(id.id)
    assertEquals(2, history.size)
    assertTrue(history.last().changes.any { it == "Trạng thái: Đã tổ chức → Đã hủy" }, "${history.last().changes}")

    // A conflict: two devices of the same commune set the status apart; side by side, one tap.
    a.enroll(env("SOTAY_SERVER_URL"), env("SOTAY_CODE_A3"), "A")
    a.sync(null, null)
    // The commune's second official, on a phone enrolled from scratch.
    val b2 = enrollNewStore(File(dir, "list-b2.db").path, StoreKey.Raw(newStoreKey()), env("SOTAY_SERVER_URL"), env("SOTAY_CODE_B"), "B")
    b2.sync(null, null)
    val onB = (b2.record(id.id).body as RecordBody.Dialogue).v1
    b2.updateRecord(id.id, RecordBody.Dialogue(onB.copy(status = DialogueStatus.HELD)))
    a.updateRecord(id.id, RecordBody.Dialogue((a.record(id.id).body as RecordBody.Dialogue).v1.copy(status = DialogueStatus.PLANNED)))
    b2.sync(null, null)
    a.sync(null, null)
    val cards = ConflictsModel(a).cards()
    val card = cards.single { it.path == "status" }
    assertEquals("Trạng thái", card.field)
    assertEquals(setOf("Đã tổ chức", "Dự kiến"), card.sides.map { it.text }.toSet())
    ConflictsModel(a).choose(card, card.sides.first { it.text == "Đã tổ chức" })
    assertTrue(ConflictsModel(a).cards().isEmpty())

    // Navigation state.
    val nav = Navigator(enrolled = false)
    assertEquals(Screen.Enroll, nav.current)
    nav.enrolled()
    assertFalse(nav.back(), "enrollment is not behind home")
    nav.go(Screen.Records(RecordKind.MEDIATION))
    nav.go(Screen.Record("x"))
    nav.go(Screen.Edit(RecordKind.MEDIATION, "x"))
    nav.saved("x")
    assertEquals(listOf(Screen.Home, Screen.Records(RecordKind.MEDIATION), Screen.Record("x")), nav.screens.value)
    assertTrue(nav.back())
    assertEquals(Screen.Records(RecordKind.MEDIATION), nav.current)
}

fun main() {
    val tests = listOf(
        "shared phone functions" to ::sharedPhoneFunctions,
        "enrollment against the server" to ::enrollmentAgainstTheServer,
        "home and sync" to ::homeAndSync,
        "forms and reports" to ::formsAndReports,
        "record forms" to ::recordForms,
        "attachments on unmetered networks" to ::attachmentsOnUnmeteredNetworks,
        "lists, conflicts, history and navigation" to ::listsConflictsHistoryAndNavigation,
    )
    var failed = 0
    for ((name, test) in tests) {
        try {
            test()
            println("ok    $name")
        } catch (e: Throwable) {
            failed++
            println("FAIL  $name: $e")
            e.printStackTrace()
        }
    }
    println("Android logic: ${tests.size - failed} passed, $failed failed")
    if (failed > 0) kotlin.system.exitProcess(1)
}
