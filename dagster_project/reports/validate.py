"""``tcd validate FILE...``: parse report files and show every finding, without writing anything."""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

from dagster_project.console_text import plain
from dagster_project.ingest.bundle import UnsafeMember, bundle_members, read_member
from dagster_project.ingest.name_check import check_report_name
from dagster_project.ingest.naming import ReportNameError
from dagster_project.ingest.registry import Registry
from dagster_project.reports.parse import ParseResult, ReportMeta, parse_report
from dagster_project.reports.pseudonym import DEMO_KEY
from dagster_project.reports.rules import (
    across_report_rules,
    report_warehouse_rules,
    warehouse_findings,
)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    if path.is_dir():
        try:  # a link in the folder is never read: the parser refuses the bundle for it
            members = bundle_members(path)
        except UnsafeMember:
            members = []
        for relative, file in members:
            digest.update(relative.encode())
            digest.update(read_member(file))
        return digest.hexdigest()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def validate_files(
    paths: list[Path],
    console: Console,
    unit_names: Callable[[str], tuple[str, ...]] | None = None,
    registry: Registry | None = None,
    as_json: bool = False,
    against: Path | None = None,
    pseudonym_key: bytes = DEMO_KEY,
) -> int:
    """Check report files the way the pipeline will; 0 = no error, 1 = errors, 2 = usage problem.

    With the registry, a file name the pull would refuse (unknown or abolished unit, a period
    outside the unit's life) is refused here with the pull's own message. Member keys are not
    shown, so the public demo key is enough here: validating needs no secret. `as_json` writes
    one JSON document (each file's status and findings) instead of tables, for scripts.
    `against` (a published warehouse file) adds the rules across reports; member keys must then
    match the warehouse's, so the caller passes its pseudonymisation key.
    """
    output = console
    if as_json:
        console = Console(file=io.StringIO())
        documents: list[dict] = []
    if registry is not None and unit_names is None:
        unit_names = registry.names_for
    if not paths:
        console.print("[red]Chưa chỉ ra tệp nào / No file given[/red]")
        return 2
    status = 0
    for raw_path in paths:
        path = Path(raw_path)
        if not path.exists():
            console.print(f"[red]Không tìm thấy tệp / File not found:[/red] {plain(path)}")
            status = 2
            continue
        try:
            name = check_report_name(path.name, registry, is_bundle=path.is_dir())
        except ReportNameError as exc:
            console.print(
                f"[red]DQ_FILE_NAME[/red] {plain(exc.reason_vi)}\n[dim]{plain(exc.reason_en)}[/dim]"
            )
            status = 2
            if as_json:
                documents.append(_document(path, 2, [_name_finding(path, exc)]))
            continue
        unit_code, period_code = name.unit_code, name.period_code
        sha = _sha256(path)
        meta = ReportMeta(
            report_id=f"{unit_code}_{period_code}_v0_{sha[:8]}",
            unit_code=unit_code,
            period_code=period_code,
            version=0,
            sha256=sha,
            file_name=path.name,
            source_uri=path.resolve().as_uri(),
            received_at=datetime.now(UTC),
            unit_names=unit_names(unit_code) if unit_names else (),
        )
        result = parse_report(path, meta, pseudonym_key)
        rows = result.findings.to_pylist() + report_rule_findings(result, against)
        errors = sum(1 for row in rows if row["severity"] == "error")
        if as_json:
            documents.append(_document(path, 1 if errors else 0, rows))
        summary = (
            f"{path.name}: {result.tong_hop.num_rows} chỉ tiêu / indicators, "
            f"{result.ket_nap.num_rows} kết nạp / admissions, "
            f"{result.to_chuc.num_rows} đơn vị / units; "
            f"{errors} lỗi / errors, {len(rows) - errors} cảnh báo / warnings"
        )
        if not rows:
            console.print(f"[green]✓[/green] {plain(summary)}")
            continue
        table = Table(title=plain(summary), show_lines=True)
        for header in (
            "Mức / Severity",
            "Trang / Sheet",
            "Dòng / Row",
            "Cột / Column",
            "Giá trị / Value",
            "Cần / Expected",
            "Thông báo / Message",
        ):
            table.add_column(header, overflow="fold")
        for row in rows:
            colour = "red" if row["severity"] == "error" else "yellow"
            # Text from a report is never console markup ("[/] ... [bold]" in a label).
            table.add_row(
                f"[{colour}]{plain(row['severity'])}[/{colour}] {plain(row['rule_code'])}",
                plain(row["sheet"] or ""),
                "" if row["row_number"] is None else str(row["row_number"]),
                plain(row["column_name"] or ""),
                plain(row["value"] or ""),
                plain(row["expected"] or ""),
                f"{plain(row['message_vi'])}\n[dim]{plain(row['message_en'])}[/dim]",
            )
        console.print(table)
        if errors:
            status = max(status, 1)
    not_checked = [] if against else [rule["rule_code"] for rule in across_report_rules()]
    _not_checked(console, not_checked)
    if as_json:
        document = {"status": status, "files": documents, "not_checked": not_checked}
        output.out(json.dumps(document, ensure_ascii=False, default=str), highlight=False)
    return status


FINDING_KEYS = (
    "rule_code",
    "severity",
    "sheet",
    "row_number",
    "column_name",
    "value",
    "expected",
    "message_vi",
    "message_en",
)


def _document(path: Path, status: int, rows: list[dict]) -> dict:
    return {
        "file": str(path),
        "status": status,
        "findings": [{key: row.get(key) for key in FINDING_KEYS} for row in rows],
    }


def _name_finding(path: Path, exc: ReportNameError) -> dict:
    return {
        "rule_code": "DQ_FILE_NAME",
        "severity": "error",
        "value": path.name,
        "message_vi": exc.reason_vi,
        "message_en": exc.reason_en,
    }


def report_rule_findings(result: ParseResult, against: Path | None = None) -> list[dict]:
    """The load gate's warehouse rules over one parsed report: those that need only the report,
    and with `against` (a published warehouse) those that need the warehouse's other reports."""
    tables = {
        "report": result.report,
        "tong_hop": result.tong_hop,
        "ket_nap": result.ket_nap,
        "to_chuc": result.to_chuc,
        "findings": result.findings,
    }
    rules = report_warehouse_rules(with_other_reports=against is not None)
    return warehouse_findings(tables, rules, against)


def _not_checked(console: Console, rule_codes: list[str]) -> None:
    if rule_codes:
        codes = ", ".join(rule_codes)
        console.print(
            f"[dim]Chưa kiểm tra (cần các báo cáo khác trong kho) / not checked (needs the other "
            f"reports of the warehouse; give it with --against): {codes}[/dim]"
        )
