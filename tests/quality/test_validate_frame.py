"""validate_frame: a good frame passes; each kind of bad frame fails and says what, where, which."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from dagster_project.quality import validate_frame, validation
from tests.quality.conftest import fct_admissions_frame, ket_nap_frame, mart_frames


def only_failure(outcome, expectation: str, column: str | None) -> dict:
    """The one failure of ``expectation`` on ``column``; fails the test if there is none."""
    matches = [
        f for f in outcome.failed if f["expectation"] == expectation and f["column"] == column
    ]
    assert matches, f"no failure of {expectation} on {column}: {outcome.failed}"
    return matches[0]


def test_accepted_ket_nap_rows_pass(params):
    outcome = validate_frame("ket_nap", ket_nap_frame(), parameters=params)

    assert outcome.success, outcome.failed
    assert outcome.evaluated > 10
    assert outcome.skipped == []


def test_member_key_that_is_not_a_digest_fails_with_the_value(params):
    frame = ket_nap_frame()
    frame.loc[1, "member_key"] = "001090000002"

    outcome = validate_frame("ket_nap", frame, parameters=params)

    failure = only_failure(outcome, "expect_column_values_to_match_regex", "member_key")
    assert not outcome.success
    assert failure["unexpected_count"] == 1
    assert failure["sample_values"] == ["001090000002"]
    assert failure["rule_code"] == "GX_MEMBER_KEY"


def test_category_outside_the_coded_set_fails(params):
    frame = ket_nap_frame()
    frame.loc[0, "category_code"] = "cong nhan"

    outcome = validate_frame("ket_nap", frame, parameters=params)

    failure = only_failure(outcome, "expect_column_values_to_be_in_set", "category_code")
    assert failure["sample_values"] == ["cong nhan"]


def test_admission_after_the_period_end_fails(params):
    frame = ket_nap_frame()
    frame.loc[1, "admission_date"] = date(2024, 7, 1)

    outcome = validate_frame("ket_nap", frame, parameters=params)

    failure = only_failure(
        outcome, "expect_column_pair_values_a_to_be_greater_than_b", "period_end, admission_date"
    )
    assert failure["unexpected_count"] == 1
    assert failure["rule_code"] == "GX_ADMISSION_IN_PERIOD"


def test_admission_under_18_fails(params):
    frame = ket_nap_frame()
    frame.loc[1, "age_at_admission"] = 17

    outcome = validate_frame("ket_nap", frame, parameters=params)

    failure = only_failure(outcome, "expect_column_values_to_be_between", "age_at_admission")
    assert failure["sample_values"] == [17]


def test_implausible_birth_year_in_the_mart_fails(params):
    frame = fct_admissions_frame()
    frame.loc[0, "birth_year"] = 2010

    outcome = validate_frame("admissions.fct_admissions", frame, parameters=params)

    failure = only_failure(outcome, "expect_column_values_to_be_between", "age_in_admission_year")
    assert failure["sample_values"] == [14]


def test_person_admitted_twice_in_the_mart_fails(params):
    frame = fct_admissions_frame()
    frame.loc[1, "member_key"] = frame.loc[0, "member_key"]

    outcome = validate_frame("admissions.fct_admissions", frame, parameters=params)

    failure = only_failure(outcome, "expect_column_values_to_be_unique", "member_key")
    assert failure["unexpected_count"] == 2


@pytest.mark.parametrize("column", ["ho_ten", "cccd", "ngay_sinh", "birth_date", "full_name"])
def test_personal_data_column_in_a_mart_fails(params, column):
    frame = fct_admissions_frame().assign(**{column: "x"})

    outcome = validate_frame("admissions.fct_admissions", frame, parameters=params)

    failure = only_failure(outcome, "expect_table_columns_to_exclude_patterns", None)
    assert failure["sample_values"] == [column]
    assert failure["rule_code"] == "GX_NO_PERSONAL_DATA"


def test_extra_non_personal_columns_are_tolerated(params):
    frame = fct_admissions_frame().assign(unit_name="Thị xã Sa Pa", loaded_at="2024-07-01")

    outcome = validate_frame("admissions.fct_admissions", frame, parameters=params)

    assert outcome.success, outcome.failed


def test_missing_contract_column_fails(params):
    frame = mart_frames()["mart_target_attainment"].drop(columns=["status"])

    outcome = validate_frame("indicators.mart_target_attainment", frame, parameters=params)

    failure = only_failure(outcome, "expect_table_columns_to_match_set", None)
    assert failure["sample_values"] == ["status"]


def test_negative_count_and_duplicate_snapshot_fail(params):
    frame = mart_frames()["fct_enterprise_snapshots"]
    frame.loc[2, "party_members"] = -3
    frame.loc[1, "period_code"] = "2024-H1"

    outcome = validate_frame("organisations.fct_enterprise_snapshots", frame, parameters=params)

    negative = only_failure(outcome, "expect_column_values_to_be_between", "party_members")
    assert negative["sample_values"] == [-3]
    duplicate = only_failure(
        outcome, "expect_compound_columns_to_be_unique", "tax_code, period_code"
    )
    assert duplicate["unexpected_count"] == 2


def test_unknown_attainment_status_fails(params):
    frame = mart_frames()["mart_target_attainment"]
    frame.loc[0, "status"] = "failed"

    outcome = validate_frame("indicators.mart_target_attainment", frame, parameters=params)

    assert only_failure(outcome, "expect_column_values_to_be_in_set", "status")[
        "sample_values"
    ] == ["failed"]


def test_dq_issue_quoting_a_cccd_fails(params):
    frame = mart_frames()["dq_issues"]
    frame.loc[0, "message"] = "Số CCCD 001090000001 không hợp lệ"

    outcome = validate_frame("completeness.dq_issues", frame, parameters=params)

    failure = only_failure(outcome, "expect_column_values_to_not_match_regex", "message")
    assert failure["sample_values"] == ["Số CCCD 999999999999 không hợp lệ"]


def test_expectation_without_its_seed_is_reported_skipped(params):
    without_codes = {k: v for k, v in params.items() if k != "codes_doi_tuong"}

    outcome = validate_frame("ket_nap", ket_nap_frame(), parameters=without_codes)

    assert outcome.success
    assert any("codes_doi_tuong" in reason for reason in outcome.skipped)


def test_data_docs_page_is_written_for_a_failed_validation(params, tmp_path: Path):
    frame = ket_nap_frame()
    frame.loc[0, "gender"] = "male"

    outcome = validate_frame("ket_nap", frame, docs_dir=tmp_path / "gx", parameters=params)

    assert not outcome.success
    page = Path(outcome.docs_path)
    assert page.is_file() and page.is_relative_to(tmp_path / "gx")
    assert "male" in page.read_text(encoding="utf-8")
    assert (tmp_path / "gx" / "index.html").is_file()


def test_data_docs_folder_is_reused_by_a_later_process(params, tmp_path: Path, monkeypatch):
    docs = tmp_path / "gx"
    first = validate_frame("ket_nap", ket_nap_frame(), docs_dir=docs, parameters=params)
    monkeypatch.setattr(validation, "_contexts", {})  # as a new process: reopen from disk

    second = validate_frame("ket_nap", ket_nap_frame(), docs_dir=docs, parameters=params)

    assert first.success and second.success
    assert second.docs_url != first.docs_url
    assert Path(second.docs_path).is_file()


def test_data_docs_index_lists_only_the_newest_validations(params, tmp_path: Path, monkeypatch):
    monkeypatch.setattr(validation, "INDEX_VALIDATIONS", 2)
    monkeypatch.setattr(validation, "_contexts", {})
    docs = tmp_path / "gx"
    pages = [
        Path(validate_frame("ket_nap", ket_nap_frame(), docs_dir=docs, parameters=params).docs_path)
        for _ in range(4)
    ]

    index = (docs / "index.html").read_text(encoding="utf-8")
    listed = {page for page in pages if page.relative_to(docs).as_posix() in index}
    assert listed == set(pages[-2:])
    assert all(page.is_file() for page in pages)  # older pages stay, unlisted


def test_data_docs_site_of_an_earlier_release_gets_the_index_limit(
    params, tmp_path: Path, monkeypatch
):
    docs = tmp_path / "gx"
    validate_frame("ket_nap", ket_nap_frame(), docs_dir=docs, parameters=params)
    context = validation._context(docs)
    site = dict(context.get_config().data_docs_sites[validation.DOCS_SITE])
    site["site_index_builder"] = {"class_name": "DefaultSiteIndexBuilder"}
    context.update_data_docs_site(validation.DOCS_SITE, site)
    project_file = docs / "gx" / "great_expectations.yml"
    assert "validation_results_limit" not in project_file.read_text(encoding="utf-8")
    monkeypatch.setattr(validation, "_contexts", {})  # as a new process

    validation._context(docs)
    written = project_file.stat().st_mtime_ns
    monkeypatch.setattr(validation, "_contexts", {})
    validation._context(docs)

    text = project_file.read_text(encoding="utf-8")
    assert f"validation_results_limit: {validation.INDEX_VALIDATIONS}" in text
    assert project_file.stat().st_mtime_ns == written  # a site already current is not rewritten


def test_evaluation_history_column_extends_the_attainment_grain(params):
    frame = mart_frames()["mart_target_attainment"]
    frame["scope_unit_code"] = "088"
    frame["as_of_period_code"] = ["2024-H1", "2024-H2"]
    history = validate_frame("indicators.mart_target_attainment", frame, parameters=params)
    frame["as_of_period_code"] = "2024-H1"

    duplicated = validate_frame("indicators.mart_target_attainment", frame, parameters=params)

    assert history.success, history.failed
    assert only_failure(
        duplicated,
        "expect_compound_columns_to_be_unique",
        "plan_code, indicator_code, scope_unit_code, window_start, window_end, as_of_period_code",
    )
