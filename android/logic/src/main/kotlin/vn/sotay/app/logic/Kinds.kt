package vn.sotay.app.logic

import vn.sotay.core.Lang
import vn.sotay.core.RecordKind

/** The kinds of record as people call them. */
fun RecordKind.label(lang: Lang): String = when (this) {
    RecordKind.DIALOGUE -> Words.of(lang, "Đối thoại trực tiếp", "Direct dialogue")
    RecordKind.MEDIATION -> Words.of(lang, "Hòa giải ở cơ sở", "Grassroots mediation")
    RecordKind.VILLAGE_MEETING -> Words.of(lang, "Hội nghị thôn", "Village meeting")
    RecordKind.PETITION -> Words.of(lang, "Khiếu nại, tố cáo, kiến nghị", "Complaint or petition")
    RecordKind.CONSULTATION -> Words.of(lang, "Lấy ý kiến nhân dân", "Public consultation")
    RecordKind.FRONT_SESSION -> Words.of(lang, "Làm việc với Mặt trận", "Session with the Front")
    RecordKind.SUPERVISION -> Words.of(lang, "Thanh tra, giám sát", "Inspection and supervision")
    RecordKind.MODEL -> Words.of(lang, "Mô hình \"Dân vận khéo\"", "\"Dân vận khéo\" model")
}
