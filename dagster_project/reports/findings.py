"""Findings: every refusal or warning the parser raises, in words a district officer can act on.

Severity comes from ``dbt/seeds/dq_rules.csv`` (one source of truth with the warehouse); this
module only holds the message wording, Vietnamese first with the English beside it.

``make_finding`` is the one place a cell's value becomes part of a finding, so it is also the one
place that keeps personal data out of findings: a value from a column that may hold personal data
(CCCD, name, birth date, by its header), a value shaped like a personal name, and any run of
11-12 digits (a CCCD, also under a wrong header) are masked to their length and last two
characters. A shown value also has its invisible characters spelled out (``<U+202E>``), formula
text defused and its length capped, so a finding is safe to print, publish and export.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dagster_project.reports.reference import dq_rules, sheet_headers
from dagster_project.reports.text import defuse_formula, visible
from dagster_project.reports.values import looks_like_person_name, mask, mask_cccd_runs

# rule_code -> (Vietnamese, English); placeholders: {value}, {expected}, {detail}
MESSAGES: dict[str, tuple[str, str]] = {
    "DQ_FILE_EMPTY": (
        "Tệp rỗng, không có dữ liệu. Gửi lại tệp báo cáo.",
        "The file is empty. Send the report file again.",
    ),
    "DQ_FILE_UNREADABLE": (
        "Không đọc được tệp ({detail}). Lưu lại thành .xlsx hoặc bộ CSV và gửi lại.",
        "The file cannot be read ({detail}). Save it as .xlsx or a CSV bundle and send it again.",
    ),
    "DQ_FILE_TOO_LARGE": (
        "Tệp quá lớn ({detail}). Kiểm tra lại tệp trước khi gửi.",
        "The file is too large ({detail}). Check the file before sending it.",
    ),
    "DQ_UNSAFE_PATH": (
        "Tệp nén chứa đường dẫn không an toàn '{value}'. Nén lại chỉ các tệp CSV.",
        "The archive holds an unsafe path '{value}'. Zip only the CSV files.",
    ),
    "DQ_ENCODING": (
        "Tệp CSV không ở bảng mã UTF-8 hoặc Windows-1258. Lưu lại dạng 'CSV UTF-8' rồi gửi lại.",
        "The CSV file is neither UTF-8 nor Windows-1258. Save it as 'CSV UTF-8' and send it again.",
    ),
    "DQ_FILE_NAME": (
        "Tên tệp '{value}' không đúng mẫu {expected}.",
        "The file name '{value}' does not follow {expected}.",
    ),
    "DQ_PULL_FAILED": (
        "Không lấy được '{value}' từ nơi nhận báo cáo ({detail}); lần lấy sau sẽ thử lại.",
        "'{value}' could not be fetched from its location ({detail}); the next pull tries again.",
    ),
    "DQ_SHEET_MISSING": (
        "Thiếu trang '{expected}'. Thêm trang này theo mẫu báo cáo.",
        "Sheet '{expected}' is missing. Add it as in the report template.",
    ),
    "DQ_SHEET_DUPLICATE": (
        "Có hơn một trang '{expected}' ('{value}'). Chỉ giữ một trang.",
        "More than one '{expected}' sheet ('{value}'). Keep only one.",
    ),
    "DQ_TOO_MANY_ROWS": (
        "Trang có hơn {expected} dòng dữ liệu; trang không được đọc.",
        "The sheet has more than {expected} data rows; it was not read.",
    ),
    "DQ_HEADER_NOT_FOUND": (
        "Không tìm thấy dòng tiêu đề cột (cần các cột: {expected}).",
        "No column header row found (columns needed: {expected}).",
    ),
    "DQ_COLUMN_MISSING": (
        "Thiếu cột bắt buộc '{expected}'. Thêm cột này theo mẫu.",
        "Required column '{expected}' is missing. Add it as in the template.",
    ),
    "DQ_OPTIONAL_COLUMN_MISSING": (
        "Thiếu cột '{expected}' theo mẫu; các giá trị để trống.",
        "Column '{expected}' of the template is missing; left blank.",
    ),
    "DQ_UNKNOWN_COLUMN": (
        "Cột '{value}' không có trong mẫu báo cáo nên bị bỏ qua.",
        "Column '{value}' is not in the report template and was ignored.",
    ),
    "DQ_DUPLICATE_COLUMN": (
        "Cột '{value}' bị lặp; chỉ dùng cột đầu tiên.",
        "Column '{value}' appears twice; only the first one is used.",
    ),
    "DQ_TITLE_MISSING": (
        "Không có dòng tiêu đề ghi đơn vị và kỳ báo cáo ({expected}).",
        "No title rows stating the unit and period ({expected}).",
    ),
    "DQ_TITLE_UNIT_MISMATCH": (
        "Tiêu đề ghi đơn vị '{value}', nhưng tên tệp là của {expected}. Sửa tiêu đề hoặc tên tệp.",
        "The title names the unit '{value}', but the file name is for "
        "{expected}. Correct the title or the file name.",
    ),
    "DQ_TITLE_PERIOD_MISMATCH": (
        "Tiêu đề ghi kỳ '{value}', nhưng tên tệp là kỳ {expected}. Sửa tiêu đề hoặc tên tệp.",
        "The title states the period '{value}', but the file name is for "
        "{expected}. Correct the title or the file name.",
    ),
    "DQ_UNKNOWN_INDICATOR": (
        "Chỉ tiêu '{value}' không có trong danh mục chỉ tiêu; kiểm tra lại tên chỉ tiêu theo mẫu.",
        "Indicator '{value}' is not in the indicator catalogue; check the "
        "label against the template.",
    ),
    "DQ_DUPLICATE_INDICATOR": (
        "Chỉ tiêu '{value}' được báo cáo hơn một lần (lần đầu ở dòng {detail}). Chỉ giữ một dòng.",
        "Indicator '{value}' is reported more than once (first at row "
        "{detail}). Keep only one row.",
    ),
    "DQ_VALUE_MISSING": (
        "Chỉ tiêu '{value}' chưa có số liệu.",
        "Indicator '{value}' has no value.",
    ),
    "DQ_REQUIRED_VALUE": (
        "Ô bắt buộc bị bỏ trống; cần {expected}.",
        "A required cell is blank; expected {expected}.",
    ),
    "DQ_COUNT_FORMAT": (
        "Giá trị '{value}' không phải số nguyên không âm.",
        "Value '{value}' is not a non-negative whole number.",
    ),
    "DQ_CCCD_FORMAT": (
        "Số CCCD '{value}' không hợp lệ; cần đúng 12 chữ số.",
        "CCCD '{value}' is invalid; exactly 12 digits are expected.",
    ),
    "DQ_TAXCODE_FORMAT": (
        "Mã số thuế '{value}' không hợp lệ; cần {expected}.",
        "Tax code '{value}' is invalid; expected {expected}.",
    ),
    "DQ_DATE_FORMAT": (
        "Ngày '{value}' không hợp lệ; cần ngày dạng dd/mm/yyyy.",
        "Date '{value}' is invalid; a dd/mm/yyyy date is expected.",
    ),
    "DQ_CODE_UNKNOWN": (
        "Giá trị '{value}' không thuộc danh mục; chọn một trong: {expected}.",
        "Value '{value}' is not in the code list; use one of: {expected}.",
    ),
    "DQ_ETHNICITY_UNKNOWN": (
        "Dân tộc '{value}' không có trong danh mục 54 dân tộc; kiểm tra chính tả.",
        "Ethnic group '{value}' is not in the list of 54 groups; check the spelling.",
    ),
    "DQ_ADMISSION_OUT_OF_PERIOD": (
        "Ngày kết nạp {value} nằm ngoài kỳ báo cáo ({expected}).",
        "Admission date {value} is outside the reporting period ({expected}).",
    ),
    "DQ_FOUNDED_AFTER_PERIOD": (
        "Ngày thành lập {value} sau ngày cuối kỳ báo cáo ({expected}).",
        "Founding date {value} is after the end of the period ({expected}).",
    ),
    "DQ_AGE_UNDER_18": (
        "Người được kết nạp mới {value} tuổi tại ngày kết nạp; phải đủ {detail} tuổi.",
        "The person was {value} years old at admission; at least {detail} is required.",
    ),
    # Parse limits and workbook containers (docs/data-layout.md, "Parse limits").
    "DQ_FILE_ENCRYPTED": (
        "Tệp {detail} được đặt mật khẩu nên không đọc được. Gỡ mật khẩu (Excel: Tệp > Thông tin > "
        "Bảo vệ sổ làm việc > Mã hóa bằng mật khẩu, xóa mật khẩu) rồi lưu và gửi lại.",
        "The file {detail} is protected by a password and cannot be read. Remove the password "
        "(Excel: File > Info > Protect Workbook > Encrypt with Password, clear it), save the file "
        "and send it again.",
    ),
    "DQ_XML_DTD": (
        "Phần '{value}' của tệp khai báo DTD/thực thể XML (<!DOCTYPE>, <!ENTITY>), điều mà Excel "
        "không bao giờ ghi; tệp không được đọc. Mở tệp bằng Excel, lưu lại thành .xlsx và gửi lại.",
        "Part '{value}' of the file declares an XML DTD or entities (<!DOCTYPE>, <!ENTITY>), "
        "which Excel never writes; the file was not read. Open it in Excel, save it as .xlsx "
        "and send it again.",
    ),
    "DQ_SHEET_DIMENSION": (
        "Các ô chứa giá trị trải tới {value}, vượt vùng cho phép ({expected}); trang không được "
        "đọc. Xóa các ô thừa ở xa bảng số liệu rồi lưu lại.",
        "Cells holding values reach {value}, past the allowed area ({expected}); the sheet was "
        "not read. Delete the stray cells far from the table and save again.",
    ),
    "DQ_CELL_TOO_LONG": (
        "Ô có {value} ký tự, vượt giới hạn {expected} ký tự; trang không được đọc. "
        "Rút gọn nội dung ô.",
        "The cell holds {value} characters, past the limit of {expected}; the sheet was not "
        "read. Shorten the cell.",
    ),
    "DQ_FORMULA_NO_VALUE": (
        "Ô chứa công thức nhưng không có giá trị đã tính (tệp được tạo bằng chương trình, chưa mở "
        "bằng Excel); trang không được đọc. Mở tệp bằng Excel, lưu lại rồi gửi lại.",
        "The cell holds a formula without a calculated value (the file was written by a program "
        "and never opened in Excel); the sheet was not read. Open the file in Excel, save it and "
        "send it again.",
    ),
    "DQ_CELL_ERROR": (
        "Ô {detail} hiển thị lỗi Excel '{value}' thay cho số liệu; trang không được đọc. Sửa công "
        "thức hoặc nhập số liệu, lưu lại rồi gửi lại.",
        "Cell {detail} shows the Excel error '{value}' instead of a figure; the sheet was not "
        "read. Correct the formula or type the figure, save the file and send it again.",
    ),
    "DQ_SHEET_HIDDEN": (
        "Trang '{value}' đang bị ẩn{detail}; không đọc trang ẩn thay cho trang '{expected}'. "
        "Bỏ ẩn trang cần gửi (hoặc xóa trang thừa) rồi lưu lại.",
        "Sheet '{value}' is hidden{detail}; a hidden sheet is never read as '{expected}'. Unhide "
        "the sheet to send (or delete the extra one) and save again.",
    ),
    "DQ_HIDDEN_SHEET_IGNORED": (
        "Trang ẩn '{value}' bị bỏ qua; đã đọc trang hiện '{expected}'.",
        "Hidden sheet '{value}' was ignored; the visible sheet '{expected}' was read.",
    ),
    "DQ_NUMBER_OUT_OF_RANGE": (
        "Số '{value}' nằm ngoài khoảng cho phép của cột ({expected}).",
        "Number '{value}' is outside the range of its column ({expected}).",
    ),
    "DQ_TEXT_INVISIBLE": (
        "Ô chứa ký tự ẩn (ký tự điều khiển, đảo chiều hoặc độ rộng 0) '{value}'; "
        "đã bỏ các ký tự này. Kiểm tra lại nội dung ô.",
        "The cell holds hidden characters (control, bidirectional or zero-width) '{value}'; "
        "they were removed. Check the cell's text.",
    ),
    "DQ_TEXT_FORMULA": (
        "Ô văn bản '{value}' bắt đầu như một công thức bảng tính; đã thêm dấu ' ở đầu để "
        "không phần mềm nào tính nó. Bỏ ký tự {detail} ở đầu nếu không cần.",
        "The text cell '{value}' begins like a spreadsheet formula; a leading ' was added so "
        "that no software evaluates it. Remove the leading {detail} if it is not needed.",
    ),
    "DQ_DUPLICATE_TAXCODE": (
        "Mã số thuế '{value}' đã có ở dòng {detail} với số liệu khác; mỗi đơn vị chỉ ghi một "
        "dòng. Gộp hoặc sửa lại hai dòng.",
        "Tax code '{value}' is already listed at row {detail} with different figures; list "
        "each unit once. Merge or correct the two rows.",
    ),
    "DQ_PERIOD_NOT_BEGUN": (
        "Kỳ báo cáo {value} chưa bắt đầu (bắt đầu ngày {expected}). Kiểm tra kỳ trong tên tệp "
        "và tiêu đề.",
        "The reporting period {value} has not begun (it starts on {expected}). Check the "
        "period in the file name and title.",
    ),
    "DQ_DATE_IN_FUTURE": (
        "Ngày {value} sau ngày hôm nay ({expected}); ngày đã xảy ra không thể ở tương lai.",
        "Date {value} is after today ({expected}); a date that has happened cannot be in the "
        "future.",
    ),
    "DQ_AGE_IMPLAUSIBLE": (
        "Tuổi tại ngày kết nạp tính ra là {value}, quá {detail} tuổi; kiểm tra ngày sinh và "
        "ngày kết nạp.",
        "The age at admission works out as {value}, over {detail}; check the birth date and "
        "admission date.",
    ),
    "DQ_PERSONAL_DATA_MISPLACED": (
        "Cột này chứa {detail} ('{value}'), không phải {expected}; có thể tiêu đề cột bị đổi "
        "chỗ. Trang không được đọc; sửa tiêu đề cột theo mẫu.",
        "This column holds {detail} ('{value}'), not {expected}; the column headers may be "
        "swapped. The sheet was not read; correct the headers as in the template.",
    ),
}


@dataclass(frozen=True)
class Finding:
    rule_code: str
    severity: str
    sheet: str | None
    row_number: int | None
    column_name: str | None
    value: str | None
    expected: str | None
    message_vi: str
    message_en: str


# Fields that hold personal data (column_headers.yaml): their values are never shown as found.
PERSONAL_FIELDS = frozenset({"cccd", "full_name", "birth_date"})
# Rules whose value is computed (an age), not a cell of the personal column they point at.
_COMPUTED_VALUE = frozenset({"DQ_AGE_UNDER_18", "DQ_AGE_IMPLAUSIBLE"})
MAX_SHOWN = 200
_LINE_BREAKS = re.compile(r"[\t\r\n\v\f]+")


def is_personal_column(column_name: str | None) -> bool:
    """True when a header names a field that holds personal data (CCCD, name, birth date)."""
    if not column_name:
        return False
    return any(spec.match(column_name) in PERSONAL_FIELDS for spec in sheet_headers().values())


def _safe(text: str) -> str:
    text = defuse_formula(visible(_LINE_BREAKS.sub(" ", text)))  # one line: no tab or break
    return text if len(text) <= MAX_SHOWN else f"{text[: MAX_SHOWN - 1]}…"


def _shown(value: object, personal: bool = False) -> str | None:
    if value is None:
        return None
    text = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    if personal or looks_like_person_name(text):
        text = mask(text)
    return _safe(mask_cccd_runs(text))


def make_finding(
    rule_code: str,
    *,
    sheet: str | None = None,
    row_number: int | None = None,
    column_name: str | None = None,
    value: object = None,
    expected: str | None = None,
    detail: str = "",
) -> Finding:
    """A finding whose messages say where (sheet, row, column) and what to do."""
    severity = dq_rules()[rule_code]["severity"]
    shown = _shown(value, rule_code not in _COMPUTED_VALUE and is_personal_column(column_name))
    column_name = _safe(column_name) if column_name else column_name
    sheet = _safe(sheet) if sheet else sheet
    vi, en = MESSAGES[rule_code]
    fields = {
        "value": shown if shown is not None else "",
        "expected": expected or "",
        "detail": detail,
    }
    where_vi = ", ".join(
        part
        for part in (
            f"Trang {sheet}" if sheet else "",
            f"dòng {row_number}" if row_number else "",
            f"cột '{column_name}'" if column_name else "",
        )
        if part
    )
    where_en = ", ".join(
        part
        for part in (
            f"Sheet {sheet}" if sheet else "",
            f"row {row_number}" if row_number else "",
            f"column '{column_name}'" if column_name else "",
        )
        if part
    )
    message_vi = vi.format(**fields)
    message_en = en.format(**fields)
    return Finding(
        rule_code=rule_code,
        severity=severity,
        sheet=sheet,
        row_number=row_number,
        column_name=column_name,
        value=shown,
        expected=expected,
        message_vi=f"{where_vi}: {message_vi}" if where_vi else message_vi,
        message_en=f"{where_en}: {message_en}" if where_en else message_en,
    )
