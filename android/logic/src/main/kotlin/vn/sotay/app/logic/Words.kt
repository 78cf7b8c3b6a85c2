package vn.sotay.app.logic

import vn.sotay.core.Lang
import vn.sotay.core.SotayException

/** Plain words for people, from the library's typed errors. */
object Words {
    fun of(lang: Lang, vi: String, en: String) = if (lang == Lang.VI) vi else en

    /** What went wrong, and what to do, in a sentence a new user understands. */
    fun problem(e: SotayException, lang: Lang = Lang.VI): String = when (e) {
        is SotayException.Network -> of(lang, "Không kết nối được máy chủ. Dữ liệu vẫn an toàn trên máy, sẽ gửi khi có mạng.", "Cannot reach the server. Your records are safe on the phone and will be sent when there is a connection.")
        is SotayException.Unauthorized -> of(lang, "Máy chủ từ chối thiết bị hoặc mã này. Hãy xin quản trị viên mã đăng ký mới.", "The server refused this device or code. Ask your administrator for a new enrollment code.")
        is SotayException.NotEnrolled -> of(lang, "Thiết bị chưa đăng ký với máy chủ.", "This device is not enrolled yet.")
        is SotayException.Cancelled -> of(lang, "Đã dừng đồng bộ. Phần đã nhận vẫn được giữ.", "Sync stopped. What arrived is kept.")
        is SotayException.WrongKey -> of(lang, "Không mở được kho dữ liệu: khóa không đúng.", "Cannot open the records: wrong key.")
        is SotayException.Refused -> of(lang, "Máy chủ không nhận một hồ sơ; xem mục Đồng bộ.", "The server refused a record; see Sync.")
        is SotayException.InvalidInput -> e.fields.firstOrNull()?.inLanguage(lang) ?: e.reason
        is SotayException.NotFound -> of(lang, "Không tìm thấy hồ sơ.", "Record not found.")
        is SotayException.Deleted -> of(lang, "Hồ sơ đã bị xóa.", "The record was deleted.")
        is SotayException.Conflict -> of(lang, "Xung đột đã được xử lý ở nơi khác.", "The conflict was already resolved elsewhere.")
        is SotayException.StoreUnavailable -> of(lang, "Kho dữ liệu không dùng được trên máy này.", "The records store cannot be used on this phone.")
        is SotayException.Storage -> of(lang, "Lỗi ghi dữ liệu trên máy. Hãy kiểm tra bộ nhớ còn trống.", "Could not write on the phone. Check the free storage.")
    }
}
