"""The officer's check and the province's gate agree on every rule one report can break.

For each rule of the catalogue whose scope is a single report, a small real report that breaks it
is checked by `tcd validate` (its own process) and loaded by one real `tcd load` into a temporary
home, beside a legal report. Both must give the same findings (rule, severity, cell, value,
expected value and message) for the single-report rules, the broken report must be refused by
both when the rule is an error, and the legal report must pass both. A rule without a case fails.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from dagster_project.ingest.registry import load_registry
from dagster_project.reports.rules import SINGLE_REPORT, rule_catalogue, scopes
from dagster_project.reports.validate import FINDING_KEYS
from tests.integration.conftest import REPO, LoadRun, run_load, run_tcd
from tests.reports.builders import build_xlsx
from tests.rules.cases import (
    CASES,
    FIRST_DATA_ROW,
    KN,
    KN_CCCD,
    LEGAL,
    REFUSED_FIRST_BY,
    report_sheets,
    slot,
)

pytestmark = pytest.mark.integration

SINGLE_REPORT_RULES = {
    rule["rule_code"]: rule for rule in rule_catalogue() if SINGLE_REPORT in scopes(rule)
}
FINDING = FINDING_KEYS
_VERSION = re.compile(r"(_\d{4}-H[12])_v\d+_")  # validate numbers its report 0, the load 1


@dataclass
class Parity:
    files: dict[str, Path]  # case (rule code or "legal") -> report file
    validated: dict[str, dict]  # file name -> tcd validate's document for it
    load: LoadRun
    names: Callable[[str], tuple[str, ...]]


def _key(finding: dict) -> tuple:
    return tuple(
        _VERSION.sub(r"\1_v?_", finding[k]) if isinstance(finding[k], str) else finding[k]
        for k in FINDING
    )


def test_every_single_report_rule_has_a_case() -> None:
    assert sorted(SINGLE_REPORT_RULES) == sorted(CASES), (
        "a single-report rule of dq_rules.csv without a case in tests/rules/cases.py, "
        "or a case for a rule that is not one"
    )


@pytest.fixture(scope="module")
def parity(tmp_path_factory: pytest.TempPathFactory) -> Parity:
    registry = load_registry(REPO / "sources" / "registry.yaml")
    inbox = tmp_path_factory.mktemp("parity_inbox")
    files: dict[str, Path] = {"legal": LEGAL(inbox, slot(0, registry.names_for))}
    for index, (rule_code, write) in enumerate(sorted(CASES.items()), start=1):
        files[rule_code] = write(inbox, slot(index, registry.names_for))
    proc = run_tcd("validate", "--json", *(str(p) for p in files.values()))
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr
    document = json.loads(proc.stdout)
    validated = {Path(f["file"]).name: f for f in document["files"]}
    load = run_load(tmp_path_factory.mktemp("parity_home"), "--inbox", str(inbox), "--demo-key")
    assert load.returncode == 0, load.stdout + load.stderr
    return Parity(files, validated, load, registry.names_for)


def _loaded(parity: Parity, file_name: str) -> tuple[str, Counter]:
    unit_code, period_code = file_name.split(".")[0].split("_")
    status = parity.load.scalar(
        "select status from marts.mart_reporting_completeness "
        "where unit_code = ? and period_code = ?",
        [unit_code, period_code],
    )
    rows = parity.load.query(
        f"select {', '.join(FINDING)} from marts.dq_issues where file_name = ?", [file_name]
    )
    findings = Counter(
        _key(dict(zip(FINDING, row, strict=True))) for row in rows if row[0] in SINGLE_REPORT_RULES
    )
    return status, findings


def test_a_legal_report_passes_both(parity: Parity) -> None:
    name = parity.files["legal"].name
    assert parity.validated[name]["status"] == 0, parity.validated[name]
    status, findings = _loaded(parity, name)
    assert status == "accepted"
    assert not [f for f in findings if f[1] == "error"]


@pytest.mark.parametrize("rule_code", sorted(CASES))
def test_validate_and_load_agree_on_a_report_breaking(parity: Parity, rule_code: str) -> None:
    rule = SINGLE_REPORT_RULES[rule_code]
    name = parity.files[rule_code].name
    validated = parity.validated[name]
    checked = Counter(_key(f) for f in validated["findings"])
    status, loaded = _loaded(parity, name)

    assert REFUSED_FIRST_BY.get(rule_code, rule_code) in {f[0] for f in checked}, validated
    assert checked == loaded, f"tcd validate: {sorted(checked)}\ntcd load: {sorted(loaded)}"
    if rule["severity"] == "error":
        assert validated["status"] == 1
        assert status == "quarantined"
    else:
        assert validated["status"] == 0
        assert status == "accepted"


def test_against_the_warehouse_a_person_admitted_elsewhere_is_refused(
    parity: Parity, tmp_path: Path
) -> None:
    """Without the warehouse the rule is named as not checked; with it, the later report errs."""
    where = slot(len(CASES) + 5, parity.names)  # a unit and period no case uses
    sheet_list = report_sheets(where)
    admitted_before = report_sheets(slot(0, parity.names))[KN].rows[FIRST_DATA_ROW][KN_CCCD]
    sheet_list[KN].rows[FIRST_DATA_ROW + 1][KN_CCCD] = admitted_before  # the legal report's
    path = build_xlsx(tmp_path / f"{where.stem}.xlsx", sheet_list=sheet_list)

    alone = json.loads(run_tcd("validate", "--json", str(path)).stdout)
    assert alone["status"] == 0 and "DQ_DUPLICATE_PERSON" in alone["not_checked"]

    proc = run_tcd(
        "validate", "--json", "--against", str(parity.load.published), "--demo-key", str(path)
    )
    against = json.loads(proc.stdout)
    assert proc.returncode == 1 and against["not_checked"] == [], proc.stdout + proc.stderr
    found = [f for f in against["files"][0]["findings"] if f["rule_code"] == "DQ_DUPLICATE_PERSON"]
    published_id = parity.load.scalar(
        "select report_id from marts.mart_reporting_completeness where file_name = ?",
        [parity.files["legal"].name],
    )
    assert [(f["row_number"], f["value"]) for f in found] == [(FIRST_DATA_ROW + 2, published_id)]
