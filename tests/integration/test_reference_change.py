"""A registry corrected after a load: the facts follow the new reference, not only the dimensions.

The demo warehouse is copied to a fresh home and loaded again with a registry that moves Thành
phố Lào Cai (080) from Lào Cai (10) to Yên Bái (15). No report is new, so the incremental
models add no rows; the admissions they kept were joined to 080's old province.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.integration.conftest import REPO, SAMPLE_REPORTS, LoadRun, run_load

pytestmark = [pytest.mark.integration, pytest.mark.long]

UNIT_080 = """    kind: city
    province_code: "{province}"
    parent_code: "{province}"
    valid_from: 2015-01-01
    valid_to: 2025-06-30
    successor_code: LC-2025-LAOCAI"""


def moved_registry(folder: Path) -> Path:
    text = (REPO / "sources" / "registry.yaml").read_text(encoding="utf-8")
    old = UNIT_080.format(province="10")
    assert text.count(old) == 1, "080's entry in sources/registry.yaml changed shape"
    text = text.replace(old, UNIT_080.format(province="15"))
    text = text.replace(
        'location_template: "file:samples/reports/{code}/"',
        f'location_template: "{SAMPLE_REPORTS.as_uri()}/{{code}}/"',
    )
    path = folder / "registry.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def reloaded(demo_load: LoadRun, tmp_path_factory: pytest.TempPathFactory) -> LoadRun:
    home = tmp_path_factory.mktemp("moved_home")
    shutil.rmtree(home)
    shutil.copytree(demo_load.home, home)
    registry = moved_registry(tmp_path_factory.mktemp("registry"))
    run = run_load(home, "--demo-key", env={"TCD_REGISTRY": str(registry)})
    assert run.returncode == 0, run.stdout + run.stderr
    return run


def test_the_admissions_of_a_moved_unit_carry_its_new_province(
    reloaded: LoadRun, demo_load: LoadRun
) -> None:
    sql = (
        "select province_code, count(*) from marts.fct_admissions "
        "where unit_code = '080' group by all"
    )
    (before_province, count), *rest = demo_load.query(sql)
    assert before_province == "10" and count > 0 and not rest
    assert reloaded.query(sql) == [("15", count)]


def test_no_fact_disagrees_with_the_dimension_of_its_unit(reloaded: LoadRun) -> None:
    disagreeing = reloaded.scalar(
        "select count(*) from marts.fct_admissions as admissions "
        "inner join marts.dim_reporting_unit as units using (unit_code) "
        "where admissions.province_code is distinct from units.province_code"
    )
    assert disagreeing == 0


def test_the_reload_added_and_lost_no_admission(reloaded: LoadRun, demo_load: LoadRun) -> None:
    sql = "select count(*) from marts.fct_admissions"
    assert reloaded.scalar(sql) == demo_load.scalar(sql)
