package vn.sotay.app.logic

import vn.sotay.core.Lang
import vn.sotay.core.RecordKind
import vn.sotay.core.kindLabel

/** The kinds of record as people call them (the core's labels, shared with iOS). */
fun RecordKind.label(lang: Lang): String = kindLabel(this, lang)
