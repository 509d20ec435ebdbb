"""The suites as data: well-formed, tied to the seeds, and covering every published mart."""

from __future__ import annotations

import json

import pytest

from dagster_project.quality import load_suite_dict
from dagster_project.quality.suites import (
    parameters_used,
    resolve_parameters,
    suite_parameters,
    suite_tables,
)
from dagster_project.settings import EXPECTATIONS_DIR

SUITES = sorted(p.stem for p in EXPECTATIONS_DIR.glob("*.json"))


def test_one_suite_per_sheet_and_per_mart_family():
    assert SUITES == [
        "admissions",
        "completeness",
        "indicators",
        "ket_nap",
        "organisations",
        "to_chuc",
        "tong_hop",
    ]


@pytest.mark.parametrize("name", SUITES)
def test_every_expectation_names_its_rule_and_reason(name):
    suite = load_suite_dict(name)

    assert suite["name"] == name
    for expectation in suite["expectations"]:
        assert expectation["meta"]["rule_code"].startswith("GX_"), expectation
        assert expectation["meta"]["description"], expectation


def test_every_parameter_a_suite_names_comes_from_the_repository_seeds():
    provided = suite_parameters()
    named = {
        parameter
        for name in SUITES
        for expectation in load_suite_dict(name)["expectations"]
        for parameter in parameters_used(expectation)
    }

    assert named <= set(provided), named - set(provided)


def test_family_table_name_selects_only_that_tables_expectations():
    suite = load_suite_dict("organisations.dim_enterprise")

    assert suite["name"] == "organisations.dim_enterprise"
    assert {e["meta"]["table"] for e in suite["expectations"]} == {"dim_enterprise"}
    assert suite_tables("organisations") == [
        "fct_enterprise_snapshots",
        "fct_organization_events",
        "dim_enterprise",
    ]


def test_parameters_are_substituted_from_seed_values(params):
    suite, skipped = resolve_parameters(load_suite_dict("ket_nap"), params)

    category = next(
        e
        for e in suite["expectations"]
        if e["type"] == "expect_column_values_to_be_in_set"
        and e["kwargs"]["column"] == "category_code"
    )
    assert category["kwargs"]["value_set"] == params["codes_doi_tuong"]
    assert skipped == []
    assert "$PARAMETER" not in json.dumps(suite)


def test_unknown_suite_is_refused_with_its_path():
    with pytest.raises(FileNotFoundError, match="no_such_suite"):
        load_suite_dict("no_such_suite")
