// The store's key in the iOS Keychain: 32 random bytes made by the core on first use, readable
// after the first unlock (so background sync can open the store), never leaving this device.
import Foundation
import Security
import SotayAppModel
import SotayCore

struct KeychainError: Error {
    let status: OSStatus
}

final class KeychainVault: KeyVault {
    private let service = "vn.sotay.app"
    private let account = "store-key"

    func storeKey() throws -> Data {
        let query: [String: Any] = [
            kSecClass as String: kSecClassGenericPassword,
            kSecAttrService as String: service,
            kSecAttrAccount as String: account,
            kSecReturnData as String: true,
            kSecMatchLimit as String: kSecMatchLimitOne,
        ]
        var item: CFTypeRef?
        let status = SecItemCopyMatching(query as CFDictionary, &item)
        if status == errSecSuccess, let key = item as? Data { return key }
        guard status == errSecItemNotFound else { throw KeychainError(status: status) }
        let key = try newStoreKey()
        let add: [String: Any] = [
            kSecClass as String: kSecClassGenericPassword,
            kSecAttrService as String: service,
            kSecAttrAccount as String: account,
            kSecValueData as String: key,
            kSecAttrAccessible as String: kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly,
        ]
        let added = SecItemAdd(add as CFDictionary, nil)
        guard added == errSecSuccess else { throw KeychainError(status: added) }
        return key
    }
}
