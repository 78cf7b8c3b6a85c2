package vn.sotay.app.logic

import vn.sotay.core.Lang
import vn.sotay.core.Store
import vn.sotay.core.StoreKey
import vn.sotay.core.enrollNewStore

/** What an administrator's QR code (or a typed code) says: the code, and the server if given. */
data class EnrollmentCode(val code: String, val server: String?) {
    companion object {
        private val codeChars = Regex("^[A-Z0-9-]{6,40}$")

        /**
         * Reads `sotay://enroll?server=URL&code=CODE` (the QR code `sotay-server code create`
         * prints) or a bare code as typed, in any case and with spaces. Null when it is neither.
         */
        fun parse(text: String): EnrollmentCode? {
            val t = text.trim()
            if (t.startsWith("sotay://enroll?")) {
                val query = t.removePrefix("sotay://enroll?")
                val server = query.substringAfter("server=", "").substringBefore("&code=").ifBlank { null }
                val code = normalise(query.substringAfter("code=", ""))
                if (server != null && !(server.startsWith("https://") || server.startsWith("http://"))) return null
                return if (codeChars.matches(code)) EnrollmentCode(code, server) else null
            }
            val code = normalise(t)
            return if (codeChars.matches(code)) EnrollmentCode(code, null) else null
        }

        private fun normalise(code: String) = code.uppercase().filterNot { it.isWhitespace() }
    }
}

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
        val code = EnrollmentCode.parse(scanned)
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
