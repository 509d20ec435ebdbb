"""Findings: every refusal or warning the parser raises, in words a district officer can act on.

Severity comes from ``dbt/seeds/dq_rules.csv`` (one source of truth with the warehouse); this
module only holds the message wording, Vietnamese first with the English beside it.
"""

from __future__ import annotations

from dataclasses import dataclass

from dagster_project.reports.reference import dq_rules

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


def _shown(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return str(value)


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
    shown = _shown(value)
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
