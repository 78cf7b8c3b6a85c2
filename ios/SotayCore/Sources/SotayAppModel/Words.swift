// Plain words for people, from the library's typed errors: what went wrong and what to do, in a
// sentence a new user understands. The same sentences as the Android app's Words.kt.
import SotayCore

/// The Vietnamese or the English of a text, by the user's language.
public func words(_ lang: Lang, _ vi: String, _ en: String) -> String {
    lang == .vi ? vi : en
}

public enum Words {
    public static func problem(_ error: Error, lang: Lang = .vi) -> String {
        guard let e = error as? SotayError else {
            return words(lang, "Đã có lỗi không mong muốn. Dữ liệu trên máy vẫn được giữ.", "Something unexpected went wrong. The records on the phone are kept.")
        }
        switch e {
        case .Network:
            return words(lang, "Không kết nối được máy chủ. Dữ liệu vẫn an toàn trên máy, sẽ gửi khi có mạng.", "Cannot reach the server. Your records are safe on the phone and will be sent when there is a connection.")
        case .Unauthorized:
            return words(lang, "Máy chủ từ chối thiết bị hoặc mã này. Hãy xin quản trị viên mã đăng ký mới.", "The server refused this device or code. Ask your administrator for a new enrollment code.")
        case .NotEnrolled:
            return words(lang, "Thiết bị chưa đăng ký với máy chủ.", "This device is not enrolled yet.")
        case .Cancelled:
            return words(lang, "Đã dừng đồng bộ. Phần đã nhận vẫn được giữ.", "Sync stopped. What arrived is kept.")
        case .WrongKey:
            return words(lang, "Không mở được kho dữ liệu: khóa không đúng.", "Cannot open the records: wrong key.")
        case .Refused:
            return words(lang, "Máy chủ không nhận một hồ sơ; xem mục Đồng bộ.", "The server refused a record; see Sync.")
        case let .InvalidInput(fields, reason):
            return fields.first.map { $0.inLanguage(lang) } ?? reason
        case .NotFound:
            return words(lang, "Không tìm thấy hồ sơ.", "Record not found.")
        case .Deleted:
            return words(lang, "Hồ sơ đã bị xóa.", "The record was deleted.")
        case .Conflict:
            return words(lang, "Xung đột đã được xử lý ở nơi khác.", "The conflict was already resolved elsewhere.")
        case .StoreUnavailable:
            return words(lang, "Kho dữ liệu không dùng được trên máy này.", "The records store cannot be used on this phone.")
        case .Storage:
            return words(lang, "Lỗi ghi dữ liệu trên máy. Hãy kiểm tra bộ nhớ còn trống.", "Could not write on the phone. Check the free storage.")
        }
    }
}

/// A form's messages by field: the library names the field at fault (`attendance.women`,
/// `agenda.0.votes_for`) and gives the message in each language; the form shows the user's.
public enum FormErrors {
    public static func byField(_ fields: [FieldProblem], lang: Lang = .vi) -> [String: String] {
        Dictionary(fields.map { ($0.path, $0.inLanguage(lang)) }, uniquingKeysWith: { first, _ in first })
    }
}

extension FieldProblem {
    /// The problem in the user's language.
    public func inLanguage(_ lang: Lang) -> String { lang == .vi ? vi : en }
}
