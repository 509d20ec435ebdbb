"""Rules across reports follow arrival, not period: an accepted report is never taken back out.

A world of its own, built in two batches (the second by an incremental build) and once more by
a full refresh: a person admitted by 080 in 2024-H2 and put into 088's 2024-H1 resubmission
later, the same the other way round in 2023, and enterprises two units list for one period.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from tests.dbt.conftest import run_dbt
from tests.dbt.parsed_tree import Report
from tests.dbt.world import write_world

pytestmark = pytest.mark.integration

MODELS = ("--select", "+fct_admissions", "+fct_enterprise_snapshots", "+int_report_status")
RESOURCES = ("--resource-type", "seed", "--resource-type", "model")
E1 = "0101234567"
E2 = "0107654321"


def _at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(day + "T03:00:00")


def _people(*keys: str) -> list[dict]:
    return [{"member_key": key} for key in keys]


def _listing(*taxes: str) -> list[dict]:
    return [{"tax_code": tax, "enterprise_name": f"Công ty {tax}"} for tax in taxes]


# 080's 2024-H2 report is accepted first; 088 then resubmits 2024-H1 with its person p-a.
H2_080 = Report("080", "2024-H2", 1, _at("2025-01-05"), admissions=_people("p-a", "p-x"))
H1_088_V1 = Report("088", "2024-H1", 1, _at("2024-07-05"), admissions=_people("p-y"))
H1_088_V2 = Report("088", "2024-H1", 2, _at("2025-02-01"), admissions=_people("p-y", "p-a"))
# 080 resubmits 2024-H2, still with p-a: it is 080's own person, not a duplicate.
H2_080_V2 = Report("080", "2024-H2", 2, _at("2025-02-10"), admissions=_people("p-a", "p-x"))
# The other way round: 088's 2023-H1 resubmission (with p-b) arrives before 080's 2023-H2.
H1_088_2023_V1 = Report("088", "2023-H1", 1, _at("2023-07-05"), admissions=_people("p-c"))
H1_088_2023_V2 = Report("088", "2023-H1", 2, _at("2023-12-20"), admissions=_people("p-c", "p-b"))
H2_080_2023 = Report("080", "2023-H2", 1, _at("2024-01-05"), admissions=_people("p-b", "p-d"))
# Enterprises: E1 listed by 10-CQDN first, then by 37-CQDN for the same period; E2 the same
# for 2025-H1, in the other order of units.
ORG_FIRST = Report("10-CQDN", "2024-H2", 1, _at("2025-01-06"), organizations=_listing(E1))
ORG_LATER = Report("37-CQDN", "2024-H2", 1, _at("2025-01-09"), organizations=_listing(E1, E2))
ORG_OTHER_PERIOD = Report("10-CQDN", "2024-H1", 1, _at("2024-07-04"), organizations=_listing(E1))
ORG2_FIRST = Report("37-CQDN", "2025-H1", 1, _at("2025-07-02"), organizations=_listing(E2))
ORG2_LATER = Report("10-CQDN", "2025-H1", 1, _at("2025-07-03"), organizations=_listing(E2))
# Released without a re-parse: 37-CQDN's report is quarantined by the first build (10-CQDN listed
# p-r first); 10-CQDN's resubmission drops p-r, so the second build publishes 37-CQDN's report.
HOLDER_V1 = Report("10-CQDN", "2023-H2", 1, _at("2024-01-03"), admissions=_people("p-r", "p-s"))
CLAIMANT = Report("37-CQDN", "2023-H2", 1, _at("2024-01-04"), admissions=_people("p-r", "p-t"))
HOLDER_V2 = Report("10-CQDN", "2023-H2", 2, _at("2024-02-01"), admissions=_people("p-s"))


def batch_one() -> list[Report]:
    return [
        *(H2_080, H1_088_V1, H1_088_2023_V1, H1_088_2023_V2, ORG_FIRST, ORG_OTHER_PERIOD),
        *(HOLDER_V1, CLAIMANT),
    ]


def batch_two() -> list[Report]:
    return [H1_088_V2, H2_080_V2, H2_080_2023, ORG_LATER, ORG2_FIRST, ORG2_LATER, HOLDER_V2]


@dataclass
class ArrivalWorld:
    database: Path
    full_refresh_database: Path
    quarantined_by_first_build: set[str]


@pytest.fixture(scope="module")
def arrival_world(tmp_path_factory: pytest.TempPathFactory) -> ArrivalWorld:
    home = tmp_path_factory.mktemp("arrival_home")
    (home / "build").mkdir()
    write_world(home, batch_one())
    run_dbt(home, "build", *MODELS, *RESOURCES)
    with duckdb.connect(str(home / "build" / "warehouse.duckdb"), read_only=True) as first:
        quarantined = {
            rid
            for (rid,) in first.execute(
                "select report_id from intermediate.int_report_status where is_quarantined"
            ).fetchall()
        }
    write_world(home, batch_two())
    run_dbt(home, "build", *MODELS, *RESOURCES)
    full = home / "build" / "full_refresh.duckdb"
    run_dbt(home, "build", "--full-refresh", *MODELS, *RESOURCES, database=full, target="full")
    return ArrivalWorld(home / "build" / "warehouse.duckdb", full, quarantined)


@pytest.fixture()
def con(arrival_world: ArrivalWorld) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect(str(arrival_world.database), read_only=True)
    try:
        yield connection
    finally:
        connection.close()


def _findings(con: duckdb.DuckDBPyConnection, rule_code: str) -> list[tuple]:
    return con.execute(
        "select report_id, value from intermediate.int_findings__blocking "
        "where rule_code = ? order by report_id, row_number",
        [rule_code],
    ).fetchall()


def _status(con: duckdb.DuckDBPyConnection, report: Report) -> str:
    [(status,)] = con.execute(
        "select version_status from intermediate.int_report_status where report_id = ?",
        [report.report_id],
    ).fetchall()
    return status


def test_a_later_resubmission_of_an_earlier_period_gets_the_duplicate_person(
    con: duckdb.DuckDBPyConnection,
) -> None:
    findings = dict(_findings(con, "DQ_DUPLICATE_PERSON"))
    assert findings[H1_088_V2.report_id] == H2_080.report_id
    assert _status(con, H1_088_V2) == "quarantined"
    assert _status(con, H1_088_V1) == "published"
    assert _status(con, H2_080) == "superseded"  # by 080's own resubmission, not quarantined
    assert _status(con, H2_080_V2) == "published"


def test_a_later_report_of_a_later_period_gets_the_duplicate_person(
    con: duckdb.DuckDBPyConnection,
) -> None:
    findings = dict(_findings(con, "DQ_DUPLICATE_PERSON"))
    assert findings[H2_080_2023.report_id] == H1_088_2023_V2.report_id  # the first listing
    assert _status(con, H2_080_2023) == "quarantined"
    assert _status(con, H1_088_2023_V2) == "published"


def test_only_the_later_arrivals_are_flagged(con: duckdb.DuckDBPyConnection) -> None:
    flagged = {rid for rid, _ in _findings(con, "DQ_DUPLICATE_PERSON")}
    assert flagged == {H1_088_V2.report_id, H2_080_2023.report_id}  # CLAIMANT released


def test_an_enterprise_another_unit_listed_first_for_the_period_quarantines_the_later(
    con: duckdb.DuckDBPyConnection,
) -> None:
    assert sorted(_findings(con, "DQ_ENTERPRISE_OTHER_UNIT")) == sorted(
        [(ORG_LATER.report_id, E1), (ORG2_LATER.report_id, E2)]
    )
    assert [_status(con, r) for r in (ORG_FIRST, ORG_LATER, ORG2_FIRST, ORG2_LATER)] == [
        "published",
        "quarantined",
        "published",
        "quarantined",
    ]
    assert _status(con, ORG_OTHER_PERIOD) == "published"  # another period: no conflict
    [(snapshots,)] = con.execute(
        "select count(*) from marts.fct_enterprise_snapshots where tax_code = ?", [E1]
    ).fetchall()
    assert snapshots == 2  # one per period


@pytest.mark.parametrize(
    "relation",
    [
        "intermediate.int_findings__blocking",
        "intermediate.int_report_status",
        "marts.fct_admissions",
    ],
)
def test_incremental_builds_equal_a_full_refresh(
    arrival_world: ArrivalWorld, relation: str
) -> None:
    def rows(database: Path) -> list[tuple]:
        with duckdb.connect(str(database), read_only=True) as connection:
            return sorted(connection.execute(f"select * from {relation}").fetchall(), key=repr)

    incremental = rows(arrival_world.database)
    assert incremental
    assert incremental == rows(arrival_world.full_refresh_database)


def test_a_person_given_up_releases_the_later_report_without_a_reparse(
    arrival_world: ArrivalWorld, con: duckdb.DuckDBPyConnection
) -> None:
    assert CLAIMANT.report_id in arrival_world.quarantined_by_first_build
    assert _status(con, CLAIMANT) == "published"
    assert CLAIMANT.report_id not in {rid for rid, _ in _findings(con, "DQ_DUPLICATE_PERSON")}
    [(rows,)] = con.execute(
        "select count(*) from marts.fct_admissions where report_id = ?", [CLAIMANT.report_id]
    ).fetchall()
    assert rows == 2
