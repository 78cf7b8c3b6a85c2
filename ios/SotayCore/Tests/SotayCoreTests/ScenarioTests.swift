// The Kotlin scenario (bindings/tests/kotlin/Scenario.kt), in Swift: a commune official's day
// through the bindings. scripts/swift-tests (in the README's test command) builds and runs it on
// Linux with Debian's Swift against the debug library and a real sotay-server; on a Mac, run
// `scripts/with-test-server swift test` in ios/SotayCore after ios/build-xcframework.sh. The
// server's address and enrollment codes come from the environment that scripts/with-test-server sets.

import Foundation
import XCTest
@testable import SotayCore

private let commune = "02266" // Xã Lâm Bình, Tỉnh Tuyên Quang
private let everything = RecordFilter(includeDeleted: true)

private struct Missing: Error { let name: String }

private func env(_ name: String) throws -> String {
    // Not a skip: a scenario that did not run must not count as passed.
    guard let value = ProcessInfo.processInfo.environment[name] else { throw Missing(name: name) }
    return value
}

private func mediationOf(_ view: RecordView) -> MediationCase {
    guard case let .mediation(m) = view.body else { fatalError("not a mediation case") }
    return m
}

private final class Heard: StoreListener, @unchecked Sendable {
    private let lock = NSLock()
    private var ids: [String] = []
    func onChange(ids: [String]) { lock.lock(); self.ids += ids; lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return ids }
    func clear() { lock.lock(); ids = []; lock.unlock() }
}

private final class Progress: SyncListener, @unchecked Sendable {
    var reports: [SyncReport] = []
    private let lock = NSLock()
    func onProgress(report: SyncReport) { lock.lock(); reports.append(report); lock.unlock() }
}

final class ScenarioTests: XCTestCase {
    func testACommuneOfficialsDay() async throws {
        let server = try env("SOTAY_SERVER_URL")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

        let key = try newStoreKey()
        XCTAssertEqual(key.count, 32)
        let a = try Store.create(path: path("a.db"), key: .raw(bytes: key),
                                 profile: NewProfile(userId: "can.bo.a", displayName: "Nguyễn Văn A", role: .communeOfficial, unit: commune))
        let heard = Heard()
        let subscription = a.subscribe(listener: heard)

        let dialogue = Dialogue(title: "Đối thoại về Đất đai và giải phóng mặt bằng", trigger: .periodic, mode: .inPerson, status: .held,
                                noticeOn: "2026-09-24", heldOn: "2026-10-03", place: "Nhà văn hóa thôn Nà Mè",
                                attendance: Attendance(total: 120, women: 54, ethnicMinority: 98),
                                issues: [RaisedIssue(topic: "Cấp giấy chứng nhận quyền sử dụng đất", responsibleUnit: "UBND xã", dueOn: "2026-11-01", status: .open)])
        let dialogueId = try a.createRecord(unit: commune, body: .dialogue(dialogue))
        let mediation = MediationCase(title: "Tranh chấp ranh giới đất vườn giữa hai hộ", team: "Tổ hòa giải thôn Nà Mè", startedBy: .partyRequest,
                                      receivedOn: "2026-09-20", category: .land,
                                      parties: [Party(partyType: .household, name: "Giàng A Sử", vulnerability: Vulnerability()),
                                                Party(partyType: .household, name: "Lò Thị Mai", vulnerability: Vulnerability(elderly: true))],
                                      eligibility: Eligibility(checked: true), outcome: .inProgress, followUp: .pending)
        let mediationId = try a.createRecord(unit: commune, body: .mediation(mediation))
        for _ in 0..<50 where !Set(heard.all).isSuperset(of: [dialogueId, mediationId]) { try await Task.sleep(nanoseconds: 100_000_000) }
        XCTAssertTrue(Set(heard.all).isSuperset(of: [dialogueId, mediationId]), "the subscription heard both records")

        var edited = mediationOf(try a.record(id: mediationId))
        edited.team = "Tổ hòa giải số 2"
        try a.updateRecord(id: mediationId, body: .mediation(edited))
        for query in ["Đất đai", "dat dai", "DAT DAI", "giai phong mat bang"] {
            XCTAssertTrue(try a.search(text: query, filter: everything).contains { $0.id == dialogueId }, query)
        }
        XCTAssertEqual(try a.search(text: "tranh chap ranh gioi", filter: everything).map(\.id), [mediationId])
        let history = try a.history(id: mediationId)
        XCTAssertEqual(history.count, 2)
        let team = try XCTUnwrap(history.last?.fields.first { $0.path == "team" })
        XCTAssertEqual(team.from, .text(value: "Tổ hòa giải thôn Nà Mè"))
        XCTAssertEqual(team.to, .text(value: "Tổ hòa giải số 2"))

        try await a.enroll(serverUrl: server, code: try env("SOTAY_CODE_A"), deviceName: "iPhone của A")
        let progress = Progress()
        let report = try await a.sync(listener: progress, cancel: SyncCancel())
        XCTAssertGreaterThanOrEqual(report.pushedChanges, 3)
        XCTAssertFalse(progress.reports.isEmpty)
        XCTAssertEqual(try a.syncStatus().pending, 0)

        let b = try Store.create(path: path("b.db"), key: .raw(bytes: try newStoreKey()),
                                 profile: NewProfile(userId: "can.bo.b", displayName: "Lò Văn B", role: .communeOfficial, unit: commune))
        try await b.enroll(serverUrl: server, code: try env("SOTAY_CODE_B"), deviceName: "iPhone của B")
        _ = try await b.sync(listener: nil, cancel: nil)
        XCTAssertTrue(Set(try b.list(filter: everything).map(\.id)).isSuperset(of: [dialogueId, mediationId]))

        var onA = mediationOf(try a.record(id: mediationId)); onA.outcome = .failure
        try a.updateRecord(id: mediationId, body: .mediation(onA))
        var onB = mediationOf(try b.record(id: mediationId)); onB.outcome = .withdrawn
        try b.updateRecord(id: mediationId, body: .mediation(onB))
        _ = try await b.sync(listener: nil, cancel: nil)
        _ = try await a.sync(listener: nil, cancel: nil)
        let conflict = try XCTUnwrap(try a.record(id: mediationId).conflicts.first { $0.path == "outcome" })
        XCTAssertEqual(Set(conflict.values.map(\.author.user)), ["can.bo.a", "can.bo.b"])
        try a.resolveConflict(id: mediationId, path: "outcome", value: .text(value: "withdrawn"))
        _ = try await a.sync(listener: nil, cancel: nil)
        _ = try await b.sync(listener: nil, cancel: nil)
        XCTAssertTrue(try b.record(id: mediationId).conflicts.isEmpty)
        XCTAssertEqual(mediationOf(try b.record(id: mediationId)).outcome, .withdrawn)

        XCTAssertThrowsError(try Store.open(path: path("a.db"), key: .raw(bytes: try newStoreKey()))) { error in
            guard case SotayError.WrongKey = error else { return XCTFail("\(error)") }
        }
        var crowded = dialogue
        crowded.attendance = Attendance(total: 10, women: 11)
        XCTAssertThrowsError(try a.updateRecord(id: dialogueId, body: .dialogue(crowded))) { error in
            guard case let SotayError.InvalidInput(fields, reason) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(fields.contains { $0.path == "attendance.women" })
            XCTAssertFalse(reason.contains("Giàng"))
        }
        var badDate = dialogue
        badDate.heldOn = "2026-13-45"
        XCTAssertThrowsError(try a.updateRecord(id: dialogueId, body: .dialogue(badDate))) { error in
            guard case SotayError.InvalidInput = error else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try a.record(id: "01a21424-b11a-7417-8a6c-f519b713bee3")) { error in
            guard case SotayError.NotFound = error else { return XCTFail("\(error)") }
        }

        let c = try Store.create(path: path("c.db"), key: .passphrase(passphrase: "mật khẩu của thiết bị C"),
                                 profile: NewProfile(userId: "can.bo.a", displayName: "Nguyễn Văn A", role: .communeOfficial, unit: commune))
        try await c.enroll(serverUrl: server, code: try env("SOTAY_CODE_A2"), deviceName: "iPad")
        _ = try await c.sync(listener: nil, cancel: nil)
        let revoke = Process()
        revoke.executableURL = URL(fileURLWithPath: try env("SOTAY_SERVER_BIN"))
        revoke.arguments = ["--data", try env("SOTAY_SERVER_DATA"), "device", "revoke", try XCTUnwrap(try c.syncStatus().deviceId)]
        try revoke.run()
        revoke.waitUntilExit()
        do {
            _ = try await c.sync(listener: nil, cancel: nil)
            XCTFail("a revoked device must be refused")
        } catch SotayError.Unauthorized {}

        func figure(_ report: UnitReport, _ code: String) -> ReportValue? {
            report.sections.flatMap(\.rows).first { $0.code == code }?.value
        }
        let q3 = try a.report(unit: nil, period: "2026-Q3", convention: .calendar)
        XCTAssertEqual(q3.periodVi, "Quý III năm 2026")
        XCTAssertEqual(figure(q3, "mediation.received"), .count(value: 1))
        let q4 = try a.report(unit: commune, period: "2026-Q4", convention: .statistical)
        XCTAssertEqual(q4.firstDay, "2026-09-15")
        XCTAssertEqual(figure(q4, "dialogue.held"), .count(value: 1))
        XCTAssertThrowsError(try a.report(unit: nil, period: "Quý 3", convention: .calendar)) { error in
            guard case let SotayError.InvalidInput(fields, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(fields.first?.path, "period")
        }

        XCTAssertTrue(searchUnits(query: "lam binh", limit: 10).contains { $0.code == "02266" })
        XCTAssertEqual(ethnicGroups().count, 54)

        subscription.cancel()
        heard.clear()
        try a.deleteRecord(id: dialogueId, reason: "Nhập trùng")
        try await Task.sleep(nanoseconds: 300_000_000)
        XCTAssertTrue(heard.all.isEmpty, "no notification after cancel")
        XCTAssertEqual(try a.record(id: dialogueId).deleted?.reason, "Nhập trùng")
    }
}
