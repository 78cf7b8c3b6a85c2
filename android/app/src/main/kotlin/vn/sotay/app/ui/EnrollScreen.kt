package vn.sotay.app.ui

import android.os.Build
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import kotlinx.coroutines.launch
import vn.sotay.app.SotayApplication
import vn.sotay.app.logic.EnrollmentFlow
import vn.sotay.app.logic.Words
import vn.sotay.core.Lang

/**
 * First run: the code from the administrator's QR code (the camera scanner fills the field) or
 * typed, and the server's address when the code does not carry it.
 */
@Composable
fun EnrollScreen(app: SotayApplication, lang: Lang, done: () -> Unit) {
    var code by remember { mutableStateOf("") }
    var server by remember { mutableStateOf("") }
    var problem by remember { mutableStateOf<String?>(null) }
    var busy by remember { mutableStateOf(false) }
    var scanning by remember { mutableStateOf(false) }
    val scope = rememberCoroutineScope()
    fun enroll(text: String) {
        if (busy) return
        busy = true
        scope.launch {
            val flow = EnrollmentFlow(app.vault, app.storeFile.path)
            when (val outcome = flow.enroll(text, server, Build.MODEL, lang)) {
                is EnrollmentFlow.Outcome.Enrolled -> { app.enrolled(outcome.store); done() }
                is EnrollmentFlow.Outcome.Problem -> problem = outcome.message
            }
            busy = false
        }
    }
    Column(Modifier.verticalScroll(rememberScrollState()).padding(20.dp), verticalArrangement = Arrangement.spacedBy(16.dp)) {
        Text(Words.of(lang, "Đăng ký thiết bị", "Enroll this phone"), style = MaterialTheme.typography.headlineSmall)
        Text(Words.of(lang, "Quét mã QR hoặc nhập mã do quản trị viên cấp.", "Scan the QR code or type the code your administrator gave you."))
        if (scanning) {
            QrScanner(lang) { payload -> scanning = false; code = payload; enroll(payload) }
        } else {
            BigButton(Words.of(lang, "Quét mã QR", "Scan the QR code")) { problem = null; scanning = true }
        }
        OutlinedTextField(code, { code = it }, label = { Text(Words.of(lang, "Mã đăng ký", "Enrollment code")) }, modifier = Modifier.fillMaxWidth())
        OutlinedTextField(server, { server = it }, label = { Text(Words.of(lang, "Địa chỉ máy chủ", "Server address")) }, modifier = Modifier.fillMaxWidth())
        problem?.let { Text(it, color = MaterialTheme.colorScheme.error) }
        BigButton(Words.of(lang, if (busy) "Đang đăng ký…" else "Đăng ký", if (busy) "Enrolling…" else "Enroll")) { enroll(code) }
    }
}
