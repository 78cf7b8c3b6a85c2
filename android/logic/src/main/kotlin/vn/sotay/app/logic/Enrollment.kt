package vn.sotay.app.logic

import vn.sotay.core.Lang
import vn.sotay.core.Store
import vn.sotay.core.StoreKey
import vn.sotay.core.enrollNewStore
import vn.sotay.core.parseEnrollmentCode

/** Where the store's key lives: the Android Keystore or the iOS Keychain. */
interface KeyVault {
    /** The key, created (32 random bytes, `newStoreKey()`) and kept on first use. */
    fun storeKey(): ByteArray
}

/** First run: from a scanned or typed code to an enrolled, encrypted store. */
class EnrollmentFlow(private val vault: KeyVault, private val storePath: String) {
    sealed class Outcome {
        data class Enrolled(val store: Store) : Outcome()
        data class Problem(val message: String) : Outcome()
    }

    suspend fun enroll(scanned: String, typedServer: String?, deviceName: String, lang: Lang = Lang.VI): Outcome {
        // The QR code of `sotay-server code create`, or a code typed off paper (the core reads both).
        val code = parseEnrollmentCode(scanned)
            ?: return Outcome.Problem(Words.of(lang, "Mã đăng ký không đúng dạng", "That is not an enrollment code"))
        val server = code.server ?: typedServer?.trim()?.ifBlank { null }
            ?: return Outcome.Problem(Words.of(lang, "Cần nhập địa chỉ máy chủ", "The server address is needed"))
        return try {
            Outcome.Enrolled(enrollNewStore(storePath, StoreKey.Raw(vault.storeKey()), server, code.code, deviceName))
        } catch (e: vn.sotay.core.SotayException) {
            Outcome.Problem(Words.problem(e, lang))
        }
    }
}
