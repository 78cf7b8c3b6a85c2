package vn.sotay.app.ui

import android.content.Context
import android.graphics.Bitmap
import android.graphics.BitmapFactory
import android.graphics.Color as AndroidColor
import android.graphics.pdf.PdfRenderer
import android.net.Uri
import android.os.ParcelFileDescriptor
import android.provider.OpenableColumns
import androidx.activity.compose.rememberLauncherForActivityResult
import androidx.activity.result.contract.ActivityResultContracts
import androidx.compose.foundation.Image
import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.asImageBitmap
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.unit.dp
import vn.sotay.app.logic.AttachmentLine
import vn.sotay.app.logic.AttachmentsModel
import vn.sotay.app.logic.Words
import vn.sotay.core.Lang
import vn.sotay.core.Store
import java.io.ByteArrayOutputStream
import java.io.File

/** At most one byte over the core's limit is read: the core refuses what is too large, in words. */
private const val READ_LIMIT = 10 * 1024 * 1024 + 1

/**
 * The files of a mediation case: listed, shown on the phone (photos, and PDF pages rendered in
 * the app so the decrypted file never leaves it), attached from the camera roll or the files app.
 */
@Composable
fun AttachmentsSection(store: Store, recordId: String, lang: Lang) {
    val context = LocalContext.current
    val model = remember(recordId) { AttachmentsModel(store, recordId, lang) }
    var lines by remember { mutableStateOf(model.lines()) }
    var problem by remember { mutableStateOf<String?>(null) }
    var pages by remember { mutableStateOf<List<Bitmap>>(emptyList()) }
    val scope = rememberCoroutineScope()
    val pick = rememberLauncherForActivityResult(ActivityResultContracts.OpenDocument()) { uri: Uri? ->
        if (uri == null) return@rememberLauncherForActivityResult
        val resolver = context.contentResolver
        val name = resolver.query(uri, arrayOf(OpenableColumns.DISPLAY_NAME), null, null, null)
            ?.use { c -> if (c.moveToFirst()) c.getString(0) else null } ?: "tep"
        val data = runCatching { resolver.openInputStream(uri)?.use { readUpTo(it, READ_LIMIT) } }.getOrNull()
        problem = if (data == null) Words.of(lang, "Không đọc được tệp.", "Cannot read the file.")
        else model.attach(name, resolver.getType(uri) ?: "", data)
        lines = model.lines()
    }
    Column(Modifier.padding(top = 16.dp)) {
        Text(Words.of(lang, "Tệp đính kèm", "Attachments"), style = MaterialTheme.typography.titleLarge)
        lines.forEach { line ->
            Column(Modifier.fillMaxWidth().heightIn(min = 48.dp).clickable(enabled = line.onPhone) {
                // Decoding and rendering off the main thread.
                scope.launch { pages = withContext(Dispatchers.Default) { show(context, model, line) } }
            }) {
                Text(line.name, style = MaterialTheme.typography.titleSmall)
                Text(if (line.onPhone) line.size else "${line.size} · " + Words.of(lang, "chưa tải về (cần Wi-Fi)", "not downloaded yet (needs Wi-Fi)"))
            }
        }
        BigButton(Words.of(lang, "Đính kèm ảnh hoặc tệp PDF", "Attach a photo or a PDF")) {
            pick.launch(AttachmentsModel.MEDIA_TYPES.toTypedArray())
        }
        problem?.let { Text(it, color = MaterialTheme.colorScheme.error) }
    }
    if (pages.isNotEmpty()) {
        AlertDialog(
            onDismissRequest = { pages = emptyList() },
            confirmButton = { TextButton({ pages = emptyList() }) { Text(Words.of(lang, "Đóng", "Close")) } },
            text = {
                Column(Modifier.verticalScroll(rememberScrollState())) {
                    pages.forEach { Image(it.asImageBitmap(), contentDescription = null, modifier = Modifier.fillMaxWidth().padding(vertical = 4.dp)) }
                }
            },
        )
    }
}

private fun readUpTo(input: java.io.InputStream, limit: Int): ByteArray {
    val out = ByteArrayOutputStream()
    val buffer = ByteArray(64 * 1024)
    while (out.size() < limit) {
        val n = input.read(buffer, 0, minOf(buffer.size, limit - out.size()))
        if (n < 0) break
        out.write(buffer, 0, n)
    }
    return out.toByteArray()
}

/** A side the screen needs no more than. */
private const val MAX_SIDE = 2048

/**
 * A photo scaled down to the screen (decoded whole, a large JPEG takes more memory than a cheap
 * phone may have); a PDF's first pages rendered (the file exists decrypted only while rendering).
 */
private fun show(context: Context, model: AttachmentsModel, line: AttachmentLine): List<Bitmap> {
    val data = model.open(line.sha256) ?: return emptyList()
    if (!data.take(4).toByteArray().contentEquals("%PDF".toByteArray())) {
        val bounds = BitmapFactory.Options().apply { inJustDecodeBounds = true }
        BitmapFactory.decodeByteArray(data, 0, data.size, bounds)
        var sample = 1
        while (maxOf(bounds.outWidth, bounds.outHeight) / sample > MAX_SIDE) sample *= 2
        val options = BitmapFactory.Options().apply { inSampleSize = sample }
        return listOfNotNull(BitmapFactory.decodeByteArray(data, 0, data.size, options))
    }
    val file = File(context.noBackupFilesDir, "render-${line.sha256}.pdf")
    return try {
        file.writeBytes(data)
        ParcelFileDescriptor.open(file, ParcelFileDescriptor.MODE_READ_ONLY).use { fd ->
            PdfRenderer(fd).use { pdf ->
                (0 until minOf(pdf.pageCount, 10)).map { i ->
                    pdf.openPage(i).use { page ->
                        val scale = minOf(2f, MAX_SIDE.toFloat() / maxOf(page.width, page.height))
                        Bitmap.createBitmap((page.width * scale).toInt(), (page.height * scale).toInt(), Bitmap.Config.ARGB_8888).also {
                            it.eraseColor(AndroidColor.WHITE)
                            page.render(it, null, null, PdfRenderer.Page.RENDER_MODE_FOR_DISPLAY)
                        }
                    }
                }
            }
        }
    } catch (e: Exception) {
        emptyList()
    } finally {
        file.delete()
    }
}
