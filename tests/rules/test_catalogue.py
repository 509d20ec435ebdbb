"""The rule catalogue: every rule's scope, where it runs, where it lives, its parameters."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dagster_project.quality.suites import load_suite_dict, resolve_parameters, suite_parameters
from dagster_project.reports import DEMO_KEY, parse_report, reference
from dagster_project.reports.rules import rule_catalogue, scopes
from dagster_project.settings import DBT_PROJECT_DIR, REPO_ROOT
from tests.reports.builders import build_xlsx, make_meta

SCOPES = {"file_name", "single_report", "across_reports", "all_reports", "warehouse_table"}


@pytest.mark.parametrize("rule", rule_catalogue(), ids=lambda rule: rule["rule_code"])
def test_every_rule_has_a_scope_a_place_and_a_definition_that_exists(rule: dict) -> None:
    assert scopes(rule) and scopes(rule) <= SCOPES
    assert rule["runs_in"].strip()
    places = [p.strip() for p in rule["defined_in"].split(";") if p.strip()]
    assert places
    for place in places:
        if place.startswith("int_findings__"):
            assert list((DBT_PROJECT_DIR / "models").rglob(f"{place}.sql")), place
        else:
            assert (REPO_ROOT / place).exists(), place


def test_single_report_warehouse_rules_name_their_dbt_model() -> None:
    for rule in rule_catalogue():
        if rule["checked_by"] == "warehouse" and "single_report" in scopes(rule):
            assert rule["defined_in"].startswith("int_findings__"), rule


def test_the_minimum_age_is_one_catalogue_parameter_read_by_parser_and_suites(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(DBT_PROJECT_DIR / "seeds", seeds)
    rules = seeds / "dq_rules.csv"
    rules.write_text(
        rules.read_text(encoding="utf-8").replace("min_age=18", "min_age=30"), encoding="utf-8"
    )
    monkeypatch.setenv("TCD_SEEDS_DIR", str(seeds))
    reference.dq_rules.cache_clear()
    try:
        path = build_xlsx(tmp_path / "088_2024-H1.xlsx")
        result = parse_report(path, make_meta(path), DEMO_KEY)
    finally:
        monkeypatch.undo()
        reference.dq_rules.cache_clear()
    under_age = [f for f in result.findings.to_pylist() if f["rule_code"] == "DQ_AGE_UNDER_18"]
    assert [(f["value"], f["expected"]) for f in under_age] == [("21", ">= 30")]
    assert "at least 30" in under_age[0]["message_en"]

    suite, skipped = resolve_parameters(load_suite_dict("ket_nap"), suite_parameters(seeds))
    assert not skipped
    bounds = {
        e["kwargs"]["min_value"]
        for e in suite["expectations"]
        if e["kwargs"].get("column") in ("age_at_admission", "age_in_admission_year")
    }
    assert bounds == {30}
