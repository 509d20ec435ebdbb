"""The published marts: facts, dimensions, completeness, roll-ups, events and targets."""

from __future__ import annotations

import duckdb
import pytest

pytestmark = pytest.mark.integration


def test_marts_land_in_schema_marts_and_layers_in_their_own(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    schemas = dict(
        warehouse.execute(
            "select table_name, table_schema from information_schema.tables"
            " where table_name in ('fct_admissions', 'stg_parsed__reports', 'int_report_status')"
        ).fetchall()
    )
    assert schemas == {
        "fct_admissions": "marts",
        "stg_parsed__reports": "staging",
        "int_report_status": "intermediate",
    }


def test_no_personal_data_column_reaches_marts(warehouse: duckdb.DuckDBPyConnection) -> None:
    columns = {
        name
        for (name,) in warehouse.execute(
            "select column_name from information_schema.columns where table_schema = 'marts'"
        ).fetchall()
    }
    assert not columns & {"full_name", "name", "ho_ten", "cccd", "birth_date", "ngay_sinh"}


def test_admissions_are_those_of_published_versions(warehouse: duckdb.DuckDBPyConnection) -> None:
    keys = {
        key
        for (key,) in warehouse.execute(
            "select member_key from marts.fct_admissions where not member_key like 'nb-%'"
        ).fetchall()
    }
    assert keys == {"m-001", "m-002", "m-003", "m-006"}


def test_incremental_run_replaces_rows_of_the_superseded_version(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    rows = warehouse.execute(
        "select distinct report_id from marts.fct_admissions where unit_code = '088'"
    ).fetchall()
    assert [report_id[:14] for (report_id,) in rows] == ["088_2024-H1_v2"]


def test_admission_private_sector_follows_ownership_in_same_report(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    flags = dict(
        warehouse.execute(
            "select member_key, is_private_sector from marts.fct_admissions"
            " where member_key in ('m-001', 'm-002')"
        ).fetchall()
    )
    assert flags == {"m-001": True, "m-002": False}


def test_admissions_carry_province_and_student_flag(warehouse: duckdb.DuckDBPyConnection) -> None:
    row = warehouse.execute(
        "select count(*), min(province_code), sum(case when is_student then 1 else 0 end)"
        " from marts.fct_admissions where unit_code = '37-CQDN'"
    ).fetchone()
    assert row == (227, "37", 41)


def test_current_unit_follows_the_successor_chain(warehouse: duckdb.DuckDBPyConnection) -> None:
    current = dict(
        warehouse.execute(
            "select unit_code, current_unit_code from marts.dim_reporting_unit"
            " where unit_code in ('OLD1', '088', '10-CQDN')"
        ).fetchall()
    )
    assert current == {
        "OLD1": "LC-2025-SAPA",
        "088": "LC-2025-SAPA",
        "10-CQDN": "10-CQDN",
    }


def test_completeness_gives_each_status(warehouse: duckdb.DuckDBPyConnection) -> None:
    rows = dict(
        warehouse.execute(
            "select unit_code || ' ' || period_code, status || ' ' || coalesce(cast(on_time as"
            " varchar), '-') from marts.mart_reporting_completeness"
            " where period_code = '2024-H1' or (unit_code = '088' and period_code = '2024-H2')"
        ).fetchall()
    )
    assert rows == {
        "080 2024-H1": "accepted false",
        "088 2024-H1": "accepted true",
        "10-CQDN 2024-H1": "quarantined false",
        "088 2024-H2": "missing -",
    }


def test_a_province_owes_only_the_periods_of_its_own_reporting_window(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    """Ninh Bình reported 2023-H1 only: Lào Cai reporting 2024 does not make it missing then."""
    ninh_binh = warehouse.execute(
        "select period_code, status from marts.mart_reporting_completeness"
        " where unit_code = '37-CQDN' order by period_code"
    ).fetchall()
    assert ninh_binh == [("2023-H1", "accepted")]


def test_reporting_rate_counts_each_provinces_expected_units(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    rates = {
        row[0]: row[1:]
        for row in warehouse.execute(
            "select r.province_code || ' ' || r.period_code, r.expected, r.received, r.accepted,"
            " r.quarantined, r.missing, r.on_time, r.reporting_rate_pct, r.on_time_rate_pct"
            " from marts.mart_reporting_rate as r"
        ).fetchall()
    }
    completeness = warehouse.execute(
        "select c.period_code, count(*), count(*) filter (where c.status <> 'missing'),"
        " count(*) filter (where c.on_time)"
        " from marts.mart_reporting_completeness as c"
        " inner join (select distinct unit_code, province_code from marts.dim_reporting_unit) as u"
        " on c.unit_code = u.unit_code"
        " where c.is_expected and u.province_code = '10' and c.period_code = '2024-H1'"
        " group by c.period_code"
    ).fetchone()
    expected, received, accepted, quarantined, missing, on_time, rate, on_time_rate = rates[
        "10 2024-H1"
    ]
    assert (expected, received, on_time) == completeness[1:]
    assert accepted + quarantined == received and received + missing == expected
    assert rate == int(1000 * received / expected) / 10
    assert on_time_rate == int(1000 * on_time / expected) / 10
    assert "37 2024-H1" not in rates and "37 2023-H1" in rates


def test_rule_catalogue_is_published_with_every_rule_in_dq_issues(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    unknown = warehouse.execute(
        "select distinct i.rule_code from marts.dq_issues as i"
        " left join marts.dim_dq_rule as r on i.rule_code = r.rule_code where r.rule_code is null"
    ).fetchall()
    checkers = dict(
        warehouse.execute(
            "select checked_by, count(*) from marts.dim_dq_rule group by checked_by"
        ).fetchall()
    )
    assert unknown == []
    assert set(checkers) == {"parser", "warehouse", "gx"}


def test_computed_value_is_null_without_a_detail_rule(warehouse: duckdb.DuckDBPyConnection) -> None:
    row = warehouse.execute(
        "select reported_value, computed_value from marts.mart_indicators"
        " where scope_level = 'reporting_unit' and unit_code = '080' and period_code = '2024-H1'"
        " and indicator_code = 'doan_vien_cong_doan_moi'"
    ).fetchone()
    assert row == (2000, None)


def test_computed_value_follows_the_detail_sheets(warehouse: duckdb.DuckDBPyConnection) -> None:
    computed = dict(
        warehouse.execute(
            "select indicator_code, computed_value from marts.mart_indicators"
            " where scope_level = 'reporting_unit' and unit_code = '080'"
            " and period_code = '2024-H1' and computed_value is not null"
        ).fetchall()
    )
    assert computed == {
        "ket_nap_dang_vien": 2,
        "ket_nap_cong_nhan_lao_dong": 1,
        "ket_nap_hoc_sinh_sinh_vien": 0,
        "ket_nap_hoc_sinh_thpt": 0,
        "ket_nap_chu_doanh_nghiep": 0,
        "ket_nap_kttn": 1,
        "tcd_thanh_lap_kttn": 2,
        "cdcs_thanh_lap": 0,
        "to_chuc_doan_thanh_lap": 0,
        "tcd_kttn": 4,
        "dn_co_dv_chua_co_tcd": 1,
        "dang_vien_kttn": 50,
    }


def test_province_rollup_sums_each_published_leaf_unit_once(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    rows = warehouse.execute(
        "select scope_level, reported_value, unit_count from marts.mart_indicators_rollup"
        " where unit_code = '10' and period_code = '2024-H1'"
        " and indicator_code = 'doan_vien_cong_doan_moi'"
    ).fetchall()
    assert rows == [("province", 3442, 2)]


def test_a_plain_sum_of_mart_indicators_equals_the_province_rollup(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    mismatches = warehouse.execute(
        """
        select r.period_code, r.indicator_code, r.reported_value, sum(i.reported_value)
        from marts.mart_indicators_rollup as r
        join marts.mart_indicators as i
            on i.province_code = r.unit_code and i.period_code = r.period_code
            and i.indicator_code = r.indicator_code
        where r.scope_level = 'province'
        group by all
        having r.reported_value is distinct from sum(i.reported_value)
        """
    ).fetchall()
    compared = warehouse.execute(
        "select count(*) from marts.mart_indicators_rollup where scope_level = 'province'"
    ).fetchone()[0]
    assert compared > 0 and mismatches == []


def test_mart_indicators_holds_only_leaf_reporting_units_own_rows(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    scopes = warehouse.execute(
        "select distinct scope_level, unit_count from marts.mart_indicators"
    ).fetchall()
    overlap = warehouse.execute(
        "select count(*) from marts.mart_indicators as i join marts.mart_indicators_rollup as r"
        " using (unit_code, period_code, indicator_code)"
    ).fetchone()
    rollup_scopes = {
        scope
        for (scope,) in warehouse.execute(
            "select distinct scope_level from marts.mart_indicators_rollup"
        ).fetchall()
    }
    assert scopes == [("reporting_unit", 1)]
    assert overlap == (0,)
    assert "province" in rollup_scopes <= {"ancestor", "province", "reporting_unit"}


@pytest.mark.parametrize("relation", ["mart_indicators", "mart_indicators_rollup"])
def test_one_row_per_unit_period_and_indicator(
    warehouse: duckdb.DuckDBPyConnection, relation: str
) -> None:
    duplicates = warehouse.execute(
        "select count(*) from (select unit_code, period_code, indicator_code"
        f" from marts.{relation} group by all having count(*) > 1)"
    ).fetchone()
    assert duplicates == (0,)


LABELLED_CODES = [
    ("fct_admissions", "category_code", "doi_tuong"),
    ("fct_admissions", "gender", "gioi_tinh"),
    ("fct_admissions", "ethnic_code", "dan_toc"),
    ("fct_enterprise_snapshots", "ownership_type", "loai_hinh"),
    ("fct_enterprise_snapshots", "party_org_type", "to_chuc_dang"),
    ("fct_organization_events", "org_kind", "org_kind"),
    ("fct_organization_events", "event_type", "event_type"),
    ("dim_enterprise", "size_band", "size_band"),
    ("dim_reporting_unit", "unit_kind", "unit_kind"),
    ("mart_reporting_completeness", "status", "reporting_status"),
    ("mart_target_attainment", "status", "attainment_status"),
]


@pytest.mark.parametrize(("relation", "column", "domain"), LABELLED_CODES)
def test_every_code_in_a_fact_has_a_vietnamese_and_english_label(
    warehouse: duckdb.DuckDBPyConnection, relation: str, column: str, domain: str
) -> None:
    rows, labelled = warehouse.execute(
        f"select count(*), count(v.label_vi || v.label_en) from marts.{relation} as f"
        " left join marts.dim_coded_value as v"
        f" on v.domain = '{domain}' and v.code = f.{column}"
        f" where f.{column} is not null"
    ).fetchone()
    assert rows > 0 and labelled == rows


def test_every_indicator_has_a_label(warehouse: duckdb.DuckDBPyConnection) -> None:
    unlabelled = warehouse.execute(
        "select distinct i.indicator_code from marts.mart_indicators as i"
        " left join marts.dim_indicator as d using (indicator_code)"
        " where d.label_vi is null or d.label_en is null"
    ).fetchall()
    labels = warehouse.execute(
        "select label_vi, label_en from marts.dim_indicator"
        " where indicator_code = 'ket_nap_dang_vien'"
    ).fetchone()
    assert unlabelled == []
    assert labels == ("Số đảng viên mới được kết nạp", "New party members admitted in the period")


def test_unit_kinds_with_labels_are_the_registry_unit_kinds(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    from dagster_project.ingest.registry import UNIT_KINDS

    labelled = {
        code
        for (code,) in warehouse.execute(
            "select code from marts.dim_coded_value where domain = 'unit_kind'"
        ).fetchall()
    }
    assert labelled == set(UNIT_KINDS)


@pytest.mark.parametrize(
    "relation", ["fct_admissions", "fct_enterprise_snapshots", "fct_organization_events"]
)
def test_joining_facts_to_a_unit_version_keeps_every_row_once(
    warehouse: duckdb.DuckDBPyConnection, relation: str
) -> None:
    facts, by_version, by_latest = warehouse.execute(
        f"""
        select
            (select count(*) from marts.{relation}),
            (select count(*) from marts.{relation} as f
             join marts.dim_reporting_unit as u using (unit_version_key)),
            (select count(*) from marts.{relation} as f
             join marts.dim_reporting_unit as u on u.unit_code = f.unit_code
             and u.is_latest_version)
        """
    ).fetchone()
    assert facts > 0 and by_version == facts and by_latest == facts


def test_a_fact_carries_the_unit_version_in_force_at_its_period_end(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    rows = warehouse.execute(
        "select distinct f.period_code, u.valid_from, u.valid_to from marts.fct_admissions as f"
        " join marts.dim_reporting_unit as u using (unit_version_key)"
        " join marts.dim_period as p on p.period_code = f.period_code"
        " where p.period_end not between u.valid_from and coalesce(u.valid_to, date '9999-12-31')"
    ).fetchall()
    assert rows == []


def test_organization_events_from_consecutive_snapshots(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    events = set(
        warehouse.execute(
            "select tax_code, org_kind, event_type from marts.fct_organization_events"
            " where period_code = '2024-H1'"
        ).fetchall()
    )
    assert events == {
        ("0100000001", "party", "upgraded"),
        ("0100000002", "party", "transferred"),
        ("0100000003", "party", "dissolved"),
        ("0100000004", "party", "dissolved"),
        ("0100000005", "party", "founded"),
        ("0100000006", "party", "founded"),
    }


def test_old_organization_listed_for_the_first_time_is_founded_before_its_first_report(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    events = warehouse.execute(
        "select org_kind, event_type, cast(event_date as varchar), period_code,"
        " is_before_first_report from marts.fct_organization_events where tax_code = '0200000002'"
    ).fetchall()
    assert events == [("party", "founded", "2019-05-01", "2019-H1", True)]


def test_each_organization_is_founded_once_and_every_event_period_is_in_the_calendar(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    repeated, outside_calendar = warehouse.execute(
        "select"
        " (select count(*) from (select tax_code, org_kind from marts.fct_organization_events"
        "  where event_type = 'founded' group by all having count(*) > 1)),"
        " (select count(*) from marts.fct_organization_events as ev"
        "  left join marts.dim_period as p on ev.period_code = p.period_code"
        "  where p.period_code is null)"
    ).fetchone()
    assert (repeated, outside_calendar) == (0, 0)


def _attainment(con: duckdb.DuckDBPyConnection, plan: str, indicator: str, as_of: str) -> tuple:
    return con.execute(
        "select actual_value, cast(target_value as double), cast(attainment_pct as double), status"
        " from marts.mart_target_attainment"
        " where plan_code = ? and indicator_code = ? and as_of_period_code = ?",
        [plan, indicator, as_of],
    ).fetchone()


def test_plan_count_target_attainment_is_truncated(warehouse: duckdb.DuckDBPyConnection) -> None:
    assert _attainment(warehouse, "DA24-TU", "tcd_thanh_lap_kttn", "2024-H1") == (
        7,
        15.0,
        46.6,
        "behind",
    )


def test_unit_scope_yearly_target(warehouse: duckdb.DuckDBPyConnection) -> None:
    assert _attainment(warehouse, "NB-CQDN-2023", "ket_nap_dang_vien", "2023-H1") == (
        227,
        300.0,
        75.6,
        "on_track",
    )


def test_province_union_member_target_over_achieved(warehouse: duckdb.DuckDBPyConnection) -> None:
    assert _attainment(warehouse, "LC-CDCS-2024", "doan_vien_cong_doan_moi", "2024-H1") == (
        3442,
        1000.0,
        344.2,
        "achieved",
    )


def test_share_of_stock_target_is_ceiling_of_share_of_stock(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    assert _attainment(warehouse, "DA24-TU", "ket_nap_kttn", "2024-H1") == (
        3,
        4.0,
        75.0,
        "on_track",
    )
