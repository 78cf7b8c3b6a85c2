// First run: from a scanned QR code or a typed code to an enrolled, encrypted store. The role and
// unit come from the server; the store key is made once and kept in the Keychain (KeyVault).
import Foundation
import Observation
import SotayCore

/// Where the store's key lives: the iOS Keychain in the app, memory in tests.
public protocol KeyVault: AnyObject {
    /// The key, created (32 random bytes, `newStoreKey()`) and kept on first use.
    func storeKey() throws -> Data
}

@MainActor
@Observable
public final class EnrollmentModel {
    public var typedCode = ""
    public var typedServer = ""
    public private(set) var busy = false
    public private(set) var problem: String?
    public private(set) var store: Store?

    private let vault: KeyVault
    private let storePath: String
    private let lang: Lang

    public init(vault: KeyVault, storePath: String, lang: Lang = .vi) {
        self.vault = vault
        self.storePath = storePath
        self.lang = lang
    }

    /// Enrolls with what the camera read, or else with the typed code and server.
    @discardableResult
    public func enroll(scanned: String? = nil, deviceName: String) async -> Store? {
        // The QR code of `sotay-server code create`, or a code typed off paper (the core reads both).
        guard let code = parseEnrollmentCode(text: scanned ?? typedCode) else {
            problem = words(lang, "Mã đăng ký không đúng dạng", "That is not an enrollment code")
            return nil
        }
        let typed = typedServer.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let server = code.server ?? (typed.isEmpty ? nil : typed) else {
            problem = words(lang, "Cần nhập địa chỉ máy chủ", "The server address is needed")
            return nil
        }
        busy = true
        defer { busy = false }
        do {
            let key = try vault.storeKey()
            let enrolled = try await enrollNewStore(path: storePath, key: .raw(bytes: key), serverUrl: server, code: code.code, deviceName: deviceName)
            problem = nil
            store = enrolled
            return enrolled
        } catch {
            problem = Words.problem(error, lang: lang)
            return nil
        }
    }
}
