package vn.sotay.app.logic

import vn.sotay.core.Lang
import vn.sotay.core.RecordBody
import vn.sotay.core.SotayException
import vn.sotay.core.Store
import vn.sotay.core.attachmentMediaTypes
import vn.sotay.core.sizeText

/** A file of a record as the record screen lists it. */
data class AttachmentLine(val sha256: String, val name: String, val size: String, val onPhone: Boolean)

/**
 * The files of a mediation case (the signed agreement, photos of the minutes): listed, opened
 * when this phone has them, attached from the camera or the files app. They go to the server with
 * a sync that may move files (Wi-Fi, unless the user allows mobile data).
 */
class AttachmentsModel(private val store: Store, private val recordId: String, private val lang: Lang = Lang.VI) {
    fun lines(): List<AttachmentLine> {
        val body = store.record(recordId).body as? RecordBody.Mediation ?: return emptyList()
        return body.v1.attachments.map { a ->
            AttachmentLine(a.sha256, a.name, sizeText(a.size, lang), store.attachment(a.sha256) != null)
        }
    }

    /** Attaches a file; null when done, else what is wrong in plain words. */
    fun attach(name: String, mediaType: String, data: ByteArray): String? = try {
        store.attach(recordId, name, mediaType, data)
        null
    } catch (e: SotayException) {
        Words.problem(e, lang)
    }

    /** A file's bytes, or null when it has not reached this phone yet. */
    fun open(sha256: String): ByteArray? = store.attachment(sha256)

    companion object {
        /** The file types a record takes (the core's list), for the picker. */
        val MEDIA_TYPES: List<String> get() = attachmentMediaTypes()
    }
}
