//! The command line, as clap reads it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use sotay_core::Lang;
use sotay_core::record::input::Assignment;

#[derive(Debug, Parser)]
#[command(
    name = "sotay",
    version,
    about = "Sổ Tay — sổ tay công tác dân vận ở cơ sở / field notebook for grassroots mass-mobilisation work",
    long_about = "Ghi chép đối thoại, hòa giải, hội nghị thôn, đơn thư, lấy ý kiến, làm việc với Mặt trận, giám sát và mô hình \"Dân vận khéo\" — không cần mạng.\nRecords dialogues, mediation, village meetings, petitions, consultations, Front sessions, supervision and \"Dân vận khéo\" models — offline."
)]
pub struct Cli {
    /// Tệp kho dữ liệu / the store file
    #[arg(long, global = true, env = "SOTAY_STORE", default_value = "sotay.db")]
    pub store: PathBuf,

    /// Tệp chứa khóa mã hóa (mặc định: <kho>.key) / file holding the encryption key (default: <store>.key)
    #[arg(long, global = true, env = "SOTAY_KEY_FILE")]
    pub key_file: Option<PathBuf>,

    /// Kết quả dạng JSON / machine-readable JSON output
    #[arg(long, global = true)]
    pub json: bool,

    /// Ngôn ngữ nhãn: vi hoặc en / language of labels
    #[arg(long, global = true, default_value = "vi", value_parser = parse_lang)]
    pub lang: Lang,

    #[command(subcommand)]
    pub command: Command,
}

fn parse_lang(s: &str) -> Result<Lang, String> {
    s.parse().map_err(|_| "vi hoặc en / vi or en".to_string())
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Tạo kho và hồ sơ người dùng / create the store and the user's profile
    Init(InitArgs),
    /// Xem hồ sơ người dùng của kho / show this store's user profile
    Profile,
    /// Tạo hồ sơ mới (xem các trường: sotay fields LOẠI) / create a record (its fields: sotay fields KIND)
    New(NewArgs),
    /// Các trường của một loại hồ sơ: đường dẫn, kiểu, mã cho phép, nhãn, bắt buộc / a kind's fields: path, type, allowed codes, labels, required
    Fields {
        /// Loại hồ sơ / kind: dialogue, mediation, village-meeting, petition, consultation, front-session, supervision, model
        kind: String,
    },
    /// Sửa hồ sơ / edit a record
    Edit(EditArgs),
    /// Xem hồ sơ (mã đầy đủ, hoặc phần đầu hay phần cuối không trùng) / show a record (its id, or an unambiguous start or end of it)
    Show { id: String },
    /// Danh sách hồ sơ / list records
    List(FilterArgs),
    /// Tìm kiếm (không phân biệt dấu, hoa thường) / search, ignoring diacritics and case
    Search {
        text: String,
        #[command(flatten)]
        filter: FilterArgs,
    },
    /// Lịch sử thay đổi / change history of a record
    History { id: String },
    /// Các xung đột cần xử lý / conflicts waiting for a person
    Conflicts,
    /// Xử lý xung đột / resolve a conflict
    Resolve(ResolveArgs),
    /// Xóa hồ sơ (lưu lý do) / delete a record, with the reason
    Delete {
        id: String,
        /// Lý do xóa / reason for deleting
        #[arg(long)]
        reason: String,
    },
    /// Thôn, bản, tổ dân phố / villages
    #[command(subcommand)]
    Village(VillageCommand),
    /// Tra cứu đơn vị hành chính / look up administrative units
    #[command(subcommand)]
    Unit(UnitCommand),
    /// Đăng ký thiết bị với máy chủ bằng mã dùng một lần / enroll this device with a one-time code
    Enroll {
        /// Địa chỉ máy chủ / server URL, e.g. http://127.0.0.1:8080
        #[arg(long)]
        server: String,
        /// Mã đăng ký / enrollment code
        #[arg(long)]
        code: String,
        /// Tên thiết bị / a name for this device
        #[arg(long, default_value = "sotay-cli")]
        device_name: String,
    },
    /// Đính kèm ảnh hoặc tệp PDF vào hồ sơ hòa giải / attach a photo or a PDF to a mediation case
    Attach {
        /// Mã hồ sơ / record id
        id: String,
        /// Tệp (.jpg, .png, .pdf, tối đa 10 MiB) / the file (.jpg, .png, .pdf, at most 10 MiB)
        file: std::path::PathBuf,
        /// Tên hiển thị (mặc định: tên tệp) / display name (default: the file's name)
        #[arg(long)]
        name: Option<String>,
    },
    /// Lưu tệp đính kèm ra đĩa / write an attachment to a file
    Attachment {
        /// Mã băm SHA-256 của tệp / the file's SHA-256
        sha256: String,
        /// Ghi vào / write to
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// Đồng bộ với máy chủ / sync with the server
    Sync {
        /// Không gửi/nhận tệp đính kèm (mạng di động) / leave attachments for later (mobile data)
        #[arg(long)]
        hold_attachments: bool,
    },
    /// Tình trạng đồng bộ / sync status
    Status,
    /// Báo cáo quý, 6 tháng, năm của một đơn vị / a unit's quarterly, six-month or annual report
    Report(ReportArgs),
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Kỳ báo cáo / period: 2026-Q3, 2026-H1 or 2026
    #[arg(long)]
    pub period: String,
    /// Mã hoặc tên đơn vị (mặc định: đơn vị của người dùng) / unit code or name (default: the user's unit)
    #[arg(long)]
    pub unit: Option<String>,
    /// Cách tính kỳ / period convention: calendar, or statistical (Decree 09/2019: 15th to 14th)
    #[arg(long, default_value = "calendar")]
    pub convention: String,
    /// So với một báo cáo đã xuất (--json) để thấy hồ sơ sửa sau khi chốt / compare with a report
    /// saved earlier with --json, to list records changed since
    #[arg(long)]
    pub against: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Tên đăng nhập / login name
    #[arg(long)]
    pub user: String,
    /// Họ và tên / full name
    #[arg(long)]
    pub name: String,
    /// Vai trò / role: mediator, village-head, commune-official, commune-leader, reviewer, administrator
    #[arg(long, default_value = "commune-official")]
    pub role: String,
    /// Mã đơn vị (mã GSO của xã) / unit code (the commune's GSO code)
    #[arg(long)]
    pub unit: String,
}

#[derive(Debug, Args)]
pub struct NewArgs {
    /// Loại hồ sơ / kind: dialogue, mediation, village-meeting, petition, consultation, front-session, supervision, model
    pub kind: String,
    /// Đơn vị của hồ sơ, mã hoặc tên (mặc định: đơn vị của người dùng) / the record's unit, code or name (default: the user's)
    #[arg(long)]
    pub unit: Option<String>,
    #[command(flatten)]
    pub content: ContentArgs,
}

#[derive(Debug, Args)]
pub struct EditArgs {
    pub id: String,
    #[command(flatten)]
    pub content: ContentArgs,
}

#[derive(Debug, Args)]
pub struct ContentArgs {
    /// Gán trường=giá trị (lặp lại được) / set field=value (repeatable), e.g. --set held_on=03/10/2026
    #[arg(long = "set", value_name = "FIELD=VALUE")]
    pub set: Vec<Assignment>,
    /// Nội dung từ tệp JSON / content from a JSON file
    #[arg(long = "from", value_name = "FILE.json")]
    pub from: Option<PathBuf>,
}

#[derive(Debug, Args, Default)]
pub struct FilterArgs {
    /// Loại hồ sơ (lặp lại được) / kind (repeatable)
    #[arg(long = "kind")]
    pub kinds: Vec<String>,
    /// Đơn vị (tỉnh, xã hoặc thôn) / unit: province, commune or village
    #[arg(long)]
    pub unit: Option<String>,
    /// Trạng thái / status code
    #[arg(long)]
    pub status: Option<String>,
    /// Từ ngày / from date
    #[arg(long = "from-date")]
    pub from: Option<String>,
    /// Đến ngày / to date
    #[arg(long = "to-date")]
    pub to: Option<String>,
    /// Chỉ hồ sơ quá hạn / only overdue records
    #[arg(long)]
    pub overdue: bool,
    /// Gồm cả hồ sơ đã xóa / include deleted records
    #[arg(long)]
    pub deleted: bool,
    /// Số dòng tối đa / at most this many
    #[arg(long, default_value_t = 50)]
    pub limit: u32,
}

#[derive(Debug, Args)]
pub struct ResolveArgs {
    pub id: String,
    /// Trường có xung đột / the conflicting field, e.g. outcome or agenda.0.votes_for
    #[arg(long)]
    pub field: String,
    /// Chọn giá trị thứ N trong danh sách xung đột (từ 1) / pick the N-th listed value (from 1)
    #[arg(long, conflicts_with = "value", required_unless_present = "value")]
    pub pick: Option<usize>,
    /// Hoặc nhập giá trị / or give the value
    #[arg(long)]
    pub value: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum VillageCommand {
    /// Thêm thôn / add a village
    Add {
        /// Mã xã / commune code
        #[arg(long)]
        commune: String,
        #[arg(long)]
        name: String,
        /// thon, ban, to_dan_pho, xom, buon, lang, ap, plei, other
        #[arg(long = "type", default_value = "thon")]
        village_type: String,
        #[arg(long)]
        households: Option<u32>,
    },
    /// Danh sách thôn / list villages
    List {
        #[arg(long)]
        commune: Option<String>,
    },
    /// Đổi tên, cập nhật số hộ / rename, update households
    Update {
        id: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long = "type")]
        village_type: Option<String>,
        #[arg(long)]
        households: Option<u32>,
    },
}

#[derive(Debug, Subcommand)]
pub enum UnitCommand {
    /// Tìm đơn vị theo tên / find units by name
    Search {
        text: String,
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// Xem một đơn vị và cấp trên / show a unit and those above it
    Show { code: String },
}
