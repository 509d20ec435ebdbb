"""One report version in, five Arrow tables out: the entry point of the parsing step."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa

from dagster_project.reports import schemas
from dagster_project.reports.columns import repeat_text
from dagster_project.reports.findings import Finding, make_finding
from dagster_project.reports.periods import (
    FILE_NAME_PATTERN,
    period_bounds,
    period_not_begun,
    reporting_today,
)
from dagster_project.reports.readers import (
    SHEET_TITLES,
    ParseLimits,
    RawSheet,
    RawWorkbook,
    read_report_file,
)
from dagster_project.reports.sheets import (
    NeedsTypedCells,
    Period,
    SheetResult,
    parse_ket_nap,
    parse_to_chuc,
    parse_tong_hop,
)
from dagster_project.reports.title import Title, check_title

_log = logging.getLogger(__name__)
# Words for a failure nobody foresaw: the exception itself is for developers (debug log) only.
_UNEXPECTED = (
    "nội dung tệp không đọc được theo mẫu báo cáo / "
    "the content cannot be read as a report of the template"
)


@dataclass(frozen=True)
class ReportMeta:
    """What the landing step knows about a report version before it is opened."""

    report_id: str
    unit_code: str
    period_code: str
    version: int
    sha256: str
    file_name: str
    source_uri: str
    received_at: datetime  # UTC
    unit_names: tuple[str, ...] = ()  # official name + aliases; empty skips the title unit check


@dataclass
class ParseResult:
    """The five tables of docs/data-layout.md for one report version."""

    report: pa.Table
    tong_hop: pa.Table
    ket_nap: pa.Table
    to_chuc: pa.Table
    findings: pa.Table

    @property
    def error_count(self) -> int:
        return _count(self.findings, "error")

    @property
    def warning_count(self) -> int:
        return _count(self.findings, "warning")


def _count(findings: pa.Table, severity: str) -> int:
    return sum(1 for value in findings.column("severity").to_pylist() if value == severity)


def _naive_utc(moment: datetime) -> datetime:
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def _table(schema: pa.Schema, report_id: str, columns: dict[str, list]) -> pa.Table:
    if not columns:
        return schema.empty_table()
    length = len(next(iter(columns.values())))
    arrays = []
    for field_ in schema:
        values = (
            repeat_text(report_id, length) if field_.name == "report_id" else columns[field_.name]
        )
        if isinstance(values, pa.Array | pa.ChunkedArray):
            arrays.append(values if values.type == field_.type else values.cast(field_.type))
        else:
            arrays.append(pa.array(values, type=field_.type))
    return pa.Table.from_arrays(arrays, schema=schema)


def _findings_table(meta: ReportMeta, findings: list[Finding]) -> pa.Table:
    if not findings:  # most reports
        return schemas.FINDINGS.empty_table()
    columns: dict[str, list] = {name: [] for name in schemas.FINDINGS.names}
    for finding in findings:
        columns["report_id"].append(meta.report_id)
        columns["file_name"].append(meta.file_name)
        for name in (
            "sheet",
            "row_number",
            "column_name",
            "value",
            "expected",
            "rule_code",
            "severity",
            "message_vi",
            "message_en",
        ):
            columns[name].append(getattr(finding, name))
    return pa.Table.from_pydict(columns, schema=schemas.FINDINGS)


def _parse_sheet(
    logical: str, sheet: RawSheet, period: Period | None, pseudonym_key: bytes, limits: ParseLimits
) -> SheetResult:
    if logical == "tong_hop":
        return parse_tong_hop(sheet, limits.max_rows)
    if logical == "ket_nap":
        return parse_ket_nap(sheet, period, pseudonym_key, limits.max_rows)
    return parse_to_chuc(sheet, period, limits.max_rows)


def parse_report(
    path: Path, meta: ReportMeta, pseudonym_key: bytes, limits: ParseLimits | None = None
) -> ParseResult:
    """Parse one report version; a refused file returns error findings, it never raises."""
    if limits is None:
        from dagster_project.settings import parse_limits  # settings imports this package

        limits = parse_limits()
    findings: list[Finding] = []
    period: Period | None = None
    try:
        start, end = period_bounds(meta.period_code)
        period = Period(meta.period_code, start, end)
        not_begun = period_not_begun(meta.period_code, reporting_today())
        if not_begun:
            findings.append(not_begun)
    except ValueError:
        findings.append(
            make_finding("DQ_FILE_NAME", value=meta.file_name, expected=FILE_NAME_PATTERN)
        )

    try:
        book = read_report_file(Path(path), limits)
    except Exception as exc:  # last line of defence: a hostile file must not stop the pipeline
        _log.debug("cannot read %s", meta.file_name, exc_info=exc)
        book = RawWorkbook(None)
        book.findings.append(
            make_finding("DQ_FILE_UNREADABLE", value=meta.file_name, detail=_UNEXPECTED)
        )
    findings.extend(book.findings)
    file_refused = any(
        f.row_number is None
        and f.sheet is None
        and f.severity == "error"
        and f.rule_code != "DQ_FILE_NAME"
        for f in book.findings
    )

    results: dict[str, SheetResult] = {}
    for logical, title in SHEET_TITLES.items():
        sheet = book.sheets.get(logical)
        if sheet is None:
            if not file_refused and logical not in book.unreadable:
                findings.append(make_finding("DQ_SHEET_MISSING", sheet=title, expected=title))
            continue
        try:
            try:
                result = _parse_sheet(logical, sheet, period, pseudonym_key, limits)
            except NeedsTypedCells:
                if sheet.reload is None:
                    raise
                sheet = book.sheets[logical] = sheet.reload()
                result = _parse_sheet(logical, sheet, period, pseudonym_key, limits)
        except Exception as exc:  # a sheet that breaks the parser is refused, not fatal
            _log.debug("cannot parse sheet %s of %s", sheet.name, meta.file_name, exc_info=exc)
            result = SheetResult(refused=True)
            result.findings.append(
                make_finding(
                    "DQ_FILE_UNREADABLE", sheet=sheet.name, value=sheet.name, detail=_UNEXPECTED
                )
            )
        results[logical] = result
        findings.extend(result.findings)

    title = Title(None, None)
    if results:
        texts: list[str] = []
        title_sheet = None
        for logical in SHEET_TITLES:
            if logical in results and results[logical].title_texts:
                title_sheet = title_sheet or book.sheets[logical].name
                texts.extend(results[logical].title_texts)
        title, title_findings = check_title(
            texts, meta.unit_code, meta.period_code, meta.unit_names, title_sheet
        )
        findings.extend(title_findings)

    findings_table = _findings_table(meta, findings)
    errors = sum(1 for f in findings if f.severity == "error")
    warnings = sum(1 for f in findings if f.severity == "warning")
    report = pa.Table.from_pylist(
        [
            {
                "report_id": meta.report_id,
                "unit_code": meta.unit_code,
                "period_code": meta.period_code,
                "version": meta.version,
                "sha256": meta.sha256,
                "file_name": meta.file_name,
                "source_uri": meta.source_uri,
                "file_format": book.file_format,
                "received_at": _naive_utc(meta.received_at),
                "parsed_at": datetime.now(UTC).replace(tzinfo=None),
                "title_unit": title.unit,
                "title_period": title.period,
                "error_count": errors,
                "warning_count": warnings,
            }
        ],
        schema=schemas.REPORT,
    )
    return ParseResult(
        report=report,
        tong_hop=_table(
            schemas.TONG_HOP, meta.report_id, results.get("tong_hop", SheetResult()).columns
        ),
        ket_nap=_table(
            schemas.KET_NAP, meta.report_id, results.get("ket_nap", SheetResult()).columns
        ),
        to_chuc=_table(
            schemas.TO_CHUC, meta.report_id, results.get("to_chuc", SheetResult()).columns
        ),
        findings=findings_table,
    )
