package vn.sotay.app.ui

import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.material3.lightColorScheme
import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.unit.dp
import androidx.compose.ui.unit.sp

private val colours = lightColorScheme(primary = Color(0xFF1F5F8B), error = Color(0xFFB3261E))

@Composable
fun SotayTheme(content: @Composable () -> Unit) = MaterialTheme(colorScheme = colours, content = content)

/** A button people new to phones can hit: full width, at least 56 dp high, large text. */
@Composable
fun BigButton(text: String, onClick: () -> Unit) {
    Button(onClick = onClick, modifier = Modifier.fillMaxWidth().heightIn(min = 56.dp)) { Text(text, fontSize = 18.sp) }
}
