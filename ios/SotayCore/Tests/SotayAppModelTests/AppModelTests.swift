// The iOS app's models against the real library and a real sotay-server: the same checks as the
// Android logic's JVM tests (android/logic/src/test). scripts/swift-tests runs them on Linux with
// Debian's Swift, under scripts/with-test-server, which sets the server's address and codes.
import Foundation
import XCTest
import SotayCore
@testable import SotayAppModel

private let commune = "02266" // Xã Lâm Bình, Tỉnh Tuyên Quang
private struct Missing: Error { let name: String }

private func env(_ name: String) throws -> String {
    // Not a skip: a test that did not run must not count as passed.
    guard let value = ProcessInfo.processInfo.environment[name] else { throw Missing(name: name) }
    return value
}

private final class MemoryVault: KeyVault {
    private var key: Data?
    private(set) var created = 0
    func storeKey() throws -> Data {
        if let key { return key }
        let made = try newStoreKey()
        key = made
        created += 1
        return made
    }
}

private func dialogue(_ title: String, _ status: DialogueStatus, heldOn: String? = nil, noticeOn: String? = nil,
                      attendance: Attendance = Attendance(), issues: [RaisedIssue] = []) -> Dialogue {
    Dialogue(title: title, trigger: .periodic, mode: .inPerson, status: status, noticeOn: noticeOn, heldOn: heldOn,
             attendance: attendance, issues: issues)
}

@MainActor
final class AppModelTests: XCTestCase {
    private var dir: URL!

    override func setUp() async throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("sotay-app-model-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDown() async throws {
        try? FileManager.default.removeItem(at: dir)
    }

    private func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    private func newStore(_ name: String) throws -> Store {
        try Store.create(path: path(name), key: .raw(bytes: try newStoreKey()),
                         profile: NewProfile(userId: "can.bo.a", displayName: "Nguyễn Văn A", role: .communeOfficial, unit: commune))
    }

    /// Waits (up to 5 s) for what the store's change subscription brings to the main actor.
    private func eventually(_ what: String, _ condition: () -> Bool) async throws {
        for _ in 0..<500 where !condition() { try await Task.sleep(nanoseconds: 10_000_000) }
        XCTAssertTrue(condition(), "never happened: \(what)")
    }

    func testEnrollmentFromAQRCodeOrATypedCode() async throws {
        let server = try env("SOTAY_SERVER_URL")
        let vault = MemoryVault()
        let model = EnrollmentModel(vault: vault, storePath: path("enrolled.db"))

        model.typedCode = "xin chào"
        let notACode = await model.enroll(deviceName: "Điện thoại thử")
        XCTAssertNil(notACode)
        XCTAssertEqual(model.problem, "Mã đăng ký không đúng dạng")
        model.typedCode = "ZZZZZ-ZZZZZ"
        let noServer = await model.enroll(deviceName: "Điện thoại thử")
        XCTAssertNil(noServer)
        XCTAssertEqual(model.problem, "Cần nhập địa chỉ máy chủ")
        model.typedServer = server
        let refused = await model.enroll(deviceName: "Điện thoại thử")
        XCTAssertNil(refused)
        XCTAssertTrue(model.problem?.contains("quản trị viên") == true, model.problem ?? "")
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("enrolled.db")), "a refused code leaves no store behind")

        let enrolled = await model.enroll(scanned: "sotay://enroll?server=\(server)&code=\(try env("SOTAY_CODE_A"))", deviceName: "iPhone của A")
        let store = try XCTUnwrap(enrolled, model.problem ?? "")
        XCTAssertNil(model.problem)
        // The role and unit come from enrollment; the key was made once and kept in the vault.
        XCTAssertEqual(store.profile().role, .communeOfficial)
        XCTAssertEqual(store.profile().unit, commune)
        XCTAssertEqual(store.profile().userId, "can.bo.a")
        XCTAssertEqual(vault.created, 1)
        XCTAssertTrue(try Store.open(path: path("enrolled.db"), key: .raw(bytes: try vault.storeKey())).syncStatus().enrolled)
        model.typedCode = try env("SOTAY_CODE_A3")
        let again = await model.enroll(deviceName: "x")
        XCTAssertNil(again, "a store is already there: the code is not spent")
        XCTAssertEqual(vault.created, 1)
    }

    func testHomeFollowsTheStoreAndSyncShowsProgress() async throws {
        let store = try newStore("home.db")
        let home = HomeModel(store: store, today: { "2026-11-25" })
        XCTAssertTrue(home.overdue.isEmpty)
        // A complaint received 1/11 and never accepted: the 10-day limit passed on 11/11.
        _ = try store.createRecord(unit: commune, body: .petition(Petition(title: "Khiếu nại về bồi thường đất", petitionType: .complaint,
                                                                          receivedOn: "2026-11-01", channel: .inPerson, petitioner: PetitionSubject(),
                                                                          complexity: .normal, status: .received)))
        // An issue due in three days, from a dialogue.
        _ = try store.createRecord(unit: commune, body: .dialogue(dialogue("Đối thoại về nước sạch", .planned, heldOn: "2026-12-05",
                                                                           issues: [RaisedIssue(topic: "Nước sinh hoạt", dueOn: "2026-11-28", status: .open)])))
        // The subscription refreshes the model by itself.
        try await eventually("two deadlines on the home screen") { home.overdue.count == 1 && home.dueSoon.count == 1 }
        XCTAssertEqual(home.overdue.first?.title, "Khiếu nại về bồi thường đất")
        XCTAssertTrue(home.overdue.first?.dueText.hasPrefix("Quá hạn") == true, home.overdue.first?.dueText ?? "")
        XCTAssertEqual(home.dueSoon.first?.dueText, "Còn 3 ngày")
        XCTAssertEqual(home.dueSoon.first?.due, "28/11/2026")
        XCTAssertEqual(home.pending, 2)
        XCTAssertNil(home.lastSync)

        // Sync now, against the real server, with progress and the last sync shown.
        try await store.enroll(serverUrl: try env("SOTAY_SERVER_URL"), code: try env("SOTAY_CODE_A2"), deviceName: "iPad")
        let sync = SyncModel(store: store)
        await sync.syncNow()
        XCTAssertNil(sync.problem, sync.problem ?? "")
        XCTAssertFalse(sync.running)
        XCTAssertGreaterThanOrEqual(sync.recordsSent, 2)
        XCTAssertGreaterThan(sync.bytes, 0)
        XCTAssertNotNil(sync.lastDone)
        XCTAssertEqual(try store.syncStatus().pending, 0)
        home.refresh()
        XCTAssertNotNil(home.lastSync)
        XCTAssertEqual(home.pending, 0)
        home.close()

        // The background task's question: nothing pending, synced just now → later; offline → wait.
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let wifi = NetworkState(connected: true, metered: false)
        guard case let .later(after) = try BackgroundSync.decision(store: store, network: wifi, failuresInARow: 0, lastAttemptAt: nil, now: now) else {
            return XCTFail("a store synced a moment ago waits")
        }
        XCTAssertGreaterThan(after, 29 * 60_000)
        let offline = NetworkState(connected: false, metered: false)
        XCTAssertEqual(try BackgroundSync.decision(store: store, network: offline, failuresInARow: 0, lastAttemptAt: nil, now: now), .waitForNetwork)

        // A server that is not there: a plain sentence, nothing lost.
        let lonely = try newStore("offline.db")
        _ = try lonely.createRecord(unit: commune, body: .dialogue(dialogue("Đối thoại khi mất mạng", .planned, heldOn: "2026-12-05")))
        do {
            try await lonely.enroll(serverUrl: "http://127.0.0.1:9", code: "ABCDE-FGHIJ", deviceName: "x")
            XCTFail("enrolling with no server must fail")
        } catch {
            XCTAssertTrue(Words.problem(error).contains("Dữ liệu vẫn an toàn"), Words.problem(error))
            XCTAssertTrue(Words.problem(error, lang: .en).contains("safe on the phone"))
        }
        XCTAssertEqual(try lonely.syncStatus().pending, 1)
    }

    func testFormsAndTheReport() async throws {
        let store = try newStore("forms.db")
        let held = dialogue("Đối thoại về đất đai", .held, heldOn: "2026-10-03", noticeOn: "2026-09-24",
                            attendance: Attendance(total: 120, women: 54, ethnicMinority: 98))
        let form = RecordFormModel.create(store: store, unit: commune, kind: .dialogue)
        form.setText("title", "Đối thoại về đất đai")
        form.choose("status", "held")
        form.setText("held_on", "03/10/2026")
        form.setText("notice_on", "24/09/2026")
        form.setText("attendance.total", "120")
        form.setText("attendance.women", "54")
        form.setText("attendance.ethnic_minority", "98")
        guard case let .saved(id) = form.save() else { return XCTFail("a valid dialogue saves: \(form.rows.compactMap(\.problem))") }
        // The form made the typed record a hand-written one would be.
        guard case let .dialogue(saved) = try store.record(id: id).body else { return XCTFail("a dialogue") }
        XCTAssertEqual([saved.title, saved.heldOn, saved.noticeOn], [held.title, held.heldOn, held.noticeOn])
        XCTAssertEqual(saved.attendance, held.attendance)
        let edit = try RecordFormModel.edit(store: store, id: id)
        edit.setText("attendance.total", "10")
        edit.setText("attendance.women", "11")
        guard case let .invalid(errors) = edit.save() else { return XCTFail("more women than attendees must be refused") }
        let women = try XCTUnwrap(errors["attendance.women"], "\(errors)")
        XCTAssertFalse(women.contains(" / "), "one language: \(women)")
        XCTAssertEqual(edit.rows.first { $0.path == "attendance.women" }?.problem, women, "the row shows it too")
        XCTAssertThrowsError(try RecordFormModel.edit(store: store, id: "01a00000-0000-7000-8000-000000000000"), "a forged id")

        let model = ReportModel(store: store)
        let screen = try model.load(period: "2026-Q4")
        XCTAssertEqual(screen.title, "Xã Lâm Bình — Quý IV năm 2026")
        XCTAssertEqual(screen.subtitle, "01/10/2026 – 31/12/2026")
        let dialogues = try XCTUnwrap(screen.blocks.first { $0.title == "Đối thoại trực tiếp" })
        XCTAssertEqual(dialogues.lines.first { $0.label == "Số cuộc đối thoại đã tổ chức" }?.value, "1")
        let text = model.shareText(screen)
        XCTAssertTrue(text.contains("- Số cuộc đối thoại đã tổ chức: 1"), text)
        XCTAssertFalse(text.contains(": 0"), "zeros are left out of the shared text")
        let year = try ReportModel(store: store, lang: .en).load(period: "2026")
        XCTAssertTrue(year.warnings.contains { $0.contains("2026-H1") }, "\(year.warnings)")
        XCTAssertThrowsError(try model.load(period: "2026-Q5"))
    }

    /// Any kind's form from the core's description: a village meeting with its agenda, votes and
    /// a ballot round, as a person taps and types.
    func testAVillageMeetingFilledInThroughItsForm() async throws {
        let store = try newStore("meeting.db")
        let form = RecordFormModel.create(store: store, unit: commune, kind: .villageMeeting, lang: .en)
        XCTAssertEqual(form.rows.first { $0.path == "agenda" }?.kind, .list)
        XCTAssertEqual(form.rows.first { $0.path == "total_households" }?.label, "Households in the village")
        // Marked as required: the store refuses a meeting without its households.
        XCTAssertEqual(form.rows.first { $0.path == "total_households" }?.required, true)
        XCTAssertEqual(form.rows.first { $0.path == "place" }?.required, false)
        form.setText("title", "Hội nghị thôn Nà Mè bàn xây dựng đường bê tông")
        form.choose("status", "held")
        form.setText("notice_on", "2026-09-20")
        form.setText("held_on", "2026-10-05")
        form.setText("total_households", "142")
        form.setText("households_represented", "1.20")
        let typed = try XCTUnwrap(form.rows.first { $0.path == "households_represented" })
        XCTAssertEqual(form.text(of: typed), "1.20", "what was typed stays")
        XCTAssertNotNil(typed.problem)
        form.setText("households_represented", "120")
        form.addItem("agenda")
        form.addItem("agenda")
        XCTAssertEqual(form.version, 2)
        form.setText("agenda.0.title", "Làm đường bê tông liên xóm")
        form.setText("agenda.1.title", "Sửa nhà văn hóa")
        let methods = try XCTUnwrap(form.rows.first { $0.path == "agenda.0.voting_method" }).options.map(\.code)
        form.choose("agenda.0.voting_method", try XCTUnwrap(methods.last))
        form.setText("agenda.0.votes_for", "98")
        form.addItem("agenda.0.ballot_rounds")
        // Households absent from the meeting vote by ballot afterwards.
        form.setText("agenda.0.ballot_rounds.0.households_for", "30")
        form.removeItem("agenda.1")
        guard case let .saved(id) = form.save() else { return XCTFail("\(form.rows.compactMap(\.problem))") }
        guard case let .villageMeeting(m) = try store.record(id: id).body else { return XCTFail("a village meeting") }
        XCTAssertEqual(m.totalHouseholds, 142)
        XCTAssertEqual(m.householdsRepresented, 120)
        XCTAssertEqual(m.agenda.map(\.title), ["Làm đường bê tông liên xóm"])
        XCTAssertEqual(m.agenda.first?.votesFor, 98)
        XCTAssertEqual(m.agenda.first?.ballotRounds.first?.householdsFor, 30)
        XCTAssertFalse(m.agenda.first?.id.isEmpty ?? true, "the store gave the item its identity")
    }

    /// A mediation case's signed agreement: attached on the phone, held back on mobile data by the
    /// core's policy, sent on Wi-Fi.
    func testAttachmentsWaitForAnUnmeteredNetwork() async throws {
        let store = try newStore("files.db")
        try await store.enroll(serverUrl: try env("SOTAY_SERVER_URL"), code: try env("SOTAY_CODE_A4"), deviceName: "iPhone hòa giải")
        let form = RecordFormModel.create(store: store, unit: commune, kind: .mediation)
        form.setText("title", "Tranh chấp lối đi chung ở thôn Khuôn Hẻ")
        form.setText("received_on", "02/10/2026")
        guard case let .saved(id) = form.save() else { return XCTFail("\(form.rows.compactMap(\.problem))") }
        let files = AttachmentsModel(store: store, recordId: id)
        XCTAssertEqual(AttachmentsModel.mediaTypes, ["image/jpeg", "image/png", "application/pdf"])
        let scan = Data("%PDF-1.4\nBiên bản hòa giải thành: hộ ông Hoàng Văn Thào và hộ bà Triệu Thị Mây mở lối đi chung rộng 1,5 mét.\n%%EOF".utf8)
        XCTAssertTrue(files.attach(name: "Biên bản hòa giải thành.pdf", mediaType: "application/pdf", data: scan))
        XCTAssertFalse(files.attach(name: "trang.html", mediaType: "text/html", data: scan))
        XCTAssertNotNil(files.problem)
        XCTAssertEqual(files.lines.map(\.name), ["Biên bản hòa giải thành.pdf"])
        XCTAssertEqual(files.lines.first?.onPhone, true)
        XCTAssertEqual(files.open(try XCTUnwrap(files.lines.first)), scan)
        // It follows the store: a file attached elsewhere (another screen, a sync) shows by itself.
        let photo = Data([0xff, 0xd8, 0xff, 0xe0] + Array("Ảnh hiện trường lối đi chung".utf8))
        _ = try store.attach(recordId: id, name: "Ảnh hiện trường.jpg", mediaType: "image/jpeg", data: photo)
        try await eventually("the second file in the list") { files.lines.count == 2 }
        files.close()

        let sync = SyncModel(store: store)
        await sync.syncNow(network: NetworkState(connected: true, metered: true))
        XCTAssertNil(sync.problem, sync.problem ?? "")
        XCTAssertEqual(sync.filesSent, 0, "on mobile data the file waits")
        XCTAssertEqual(sync.filesWaiting, 2)
        await sync.syncNow(network: NetworkState(connected: true, metered: true), settings: SyncSettings(attachmentsOnMetered: true))
        XCTAssertEqual(sync.filesSent, 2, "the user allowed mobile data for files")
        XCTAssertEqual(sync.filesWaiting, 0)
        await sync.syncNow(network: NetworkState(connected: false, metered: false))
        XCTAssertTrue(sync.problem?.contains("Chưa có mạng") == true, sync.problem ?? "")
    }

    func testListsConflictsHistoryAndNavigation() async throws {
        let a = try newStore("list-a.db")
        let records = RecordsModel(store: a)
        let title = "Đối thoại về Đất đai và giải phóng mặt bằng"
        let new = RecordFormModel.create(store: a, unit: commune, kind: .dialogue)
        new.setText("title", title)
        new.choose("status", "held")
        new.setText("held_on", "2026-10-03")
        new.setText("notice_on", "2026-09-24")
        guard case let .saved(id) = new.save() else { return XCTFail("a valid dialogue saves") }
        try await eventually("the new record in the list") { records.lines.count == 1 }
        records.query = "dat dai"
        XCTAssertEqual(records.lines.map(\.title), [title])
        records.query = "DAT ĐAI"
        XCTAssertEqual(records.lines.map(\.title), [title])
        records.query = "hoa giai"
        XCTAssertTrue(records.lines.isEmpty)
        records.query = ""
        records.kind = .mediation
        XCTAssertTrue(records.lines.isEmpty)
        records.kind = nil
        XCTAssertEqual(records.lines.first?.kind, "Đối thoại trực tiếp")
        XCTAssertEqual(records.lines.first?.date, "03/10/2026")
        records.close()

        // History in words.
        try a.updateRecord(id: id, body: .dialogue(dialogue(title, .cancelled, heldOn: "2026-10-03", noticeOn: "2026-09-24")))
        let history = try HistoryModel(store: a).lines(recordId: id)
        XCTAssertEqual(history.count, 2)
        XCTAssertTrue(history.last?.changes.contains("Trạng thái: Đã tổ chức → Đã hủy") == true, "\(history.last?.changes ?? [])")

        // A conflict: two officials of the commune set the status apart; side by side, one tap.
        let server = try env("SOTAY_SERVER_URL")
        try await a.enroll(serverUrl: server, code: try env("SOTAY_CODE_A3"), deviceName: "A")
        _ = try await a.sync(listener: nil, cancel: nil)
        let b = try await enrollNewStore(path: path("list-b.db"), key: .raw(bytes: try newStoreKey()), serverUrl: server, code: try env("SOTAY_CODE_B"), deviceName: "B")
        _ = try await b.sync(listener: nil, cancel: nil)
        guard case var .dialogue(onB) = try b.record(id: id).body, case var .dialogue(onA) = try a.record(id: id).body else {
            return XCTFail("the dialogue reached both phones")
        }
        onB.status = .held
        onA.status = .planned
        try b.updateRecord(id: id, body: .dialogue(onB))
        try a.updateRecord(id: id, body: .dialogue(onA))
        _ = try await b.sync(listener: nil, cancel: nil)
        _ = try await a.sync(listener: nil, cancel: nil)
        let conflicts = ConflictsModel(store: a)
        let card = try XCTUnwrap(try conflicts.cards().first { $0.path == "status" })
        XCTAssertEqual(card.field, "Trạng thái")
        XCTAssertEqual(Set(card.sides.map(\.text)), ["Đã tổ chức", "Dự kiến"])
        XCTAssertEqual(Set(card.sides.map(\.author)), ["can.bo.a", "can.bo.b"])
        try conflicts.choose(card, try XCTUnwrap(card.sides.first { $0.text == "Đã tổ chức" }))
        XCTAssertTrue(try conflicts.cards().isEmpty)
        XCTAssertThrowsError(try conflicts.choose(card, card.sides[0]), "resolved already")

        // Every kind has its label and a form.
        XCTAssertEqual(Set(RecordKinds.all.map { kindLabel(kind: $0, lang: .vi) }).count, 8)
        for kind in RecordKinds.all {
            XCTAssertFalse(RecordFormModel.create(store: a, unit: commune, kind: kind).rows.isEmpty, "\(kind)")
        }

        // Navigation state.
        let nav = Navigator(enrolled: false)
        XCTAssertEqual(nav.current, .enroll)
        nav.enrolled()
        XCTAssertFalse(nav.back(), "enrollment is not behind home")
        nav.go(.records(kind: .mediation))
        nav.go(.record(id: "x"))
        nav.go(.edit(kind: .mediation, id: "x"))
        nav.saved(id: "x")
        XCTAssertEqual(nav.screens, [.home, .records(kind: .mediation), .record(id: "x")])
        nav.go(.edit(kind: .dialogue, id: nil))
        nav.saved(id: "y")
        XCTAssertEqual(nav.screens, [.home, .records(kind: .mediation), .record(id: "x"), .record(id: "y")])
        XCTAssertTrue(nav.back())
        XCTAssertEqual(nav.current, .record(id: "x"))
    }
}
