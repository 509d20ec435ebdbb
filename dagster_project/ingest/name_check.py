"""The one check of a report file's name against the registry, for the pull and `tcd validate`.

The name alone says which unit and period a file reports (`ingest.naming`); the registry says
whether that unit sends reports and existed during that period. The pull refuses a file that fails
here, so `tcd validate` asks the same function before an officer sends the file.
"""

from __future__ import annotations

from dagster_project.ingest.naming import (
    ReportName,
    ReportNameError,
    parse_bundle_folder_name,
    parse_report_name,
)
from dagster_project.ingest.periods import period_bounds
from dagster_project.ingest.registry import Registry


def check_report_name(
    name: str,
    registry: Registry | None,
    *,
    is_bundle: bool = False,
    allowed: frozenset[str] | None = None,
) -> ReportName:
    """Unit and period of a report file, or ReportNameError saying why the pull refuses it.

    `is_bundle` accepts a CSV bundle folder named `<unit>_<period>` (no extension); `allowed`
    is the set of unit codes whose pull location the file was found in. Without a registry only
    the name's form is checked.
    """
    bundle = parse_bundle_folder_name(name) if is_bundle else None
    report = bundle or parse_report_name(name)
    if registry is None:
        return report
    file_name, code, period = report.file_name, report.unit_code, report.period_code
    unit = registry.get(code)
    if unit is None:
        expected = ", ".join(c for c in registry.codes if registry.get(c).reports)
        raise ReportNameError(
            name,
            f"Tệp {file_name!r}: mã đơn vị {code!r} không có trong sổ đăng ký; cần một trong: "
            f"{expected}",
            f"file {file_name!r}: unit code {code!r} is not in the registry; expected one of: "
            f"{expected}",
        )
    if not unit.reports:
        raise ReportNameError(
            name,
            f"Tệp {file_name!r}: đơn vị {code!r} ({unit.name}) không phải đơn vị báo cáo",
            f"file {file_name!r}: unit {code!r} ({unit.name}) does not send reports",
        )
    if allowed is not None and code not in allowed:
        expected = ", ".join(sorted(allowed))
        raise ReportNameError(
            name,
            f"Tệp {file_name!r}: báo cáo của đơn vị {code!r} nằm ở thư mục của đơn vị {expected}",
            f"file {file_name!r}: a report of unit {code!r} found in the location of {expected}",
        )
    if registry.version_in_period(code, period) is None:
        first, last = period_bounds(period)
        spans = "; ".join(f"{u.valid_from}..{u.valid_to or ''}" for u in registry.versions(code))
        raise ReportNameError(
            name,
            f"Tệp {file_name!r}: đơn vị {code!r} không có hiệu lực trong kỳ {period} "
            f"({first}..{last}); hiệu lực: {spans}",
            f"file {file_name!r}: unit {code!r} did not exist in period {period} "
            f"({first}..{last}); valid: {spans}",
        )
    return report
