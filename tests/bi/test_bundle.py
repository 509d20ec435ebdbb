"""The Superset dashboard bundle in bi/dashboard: a well-formed export that stock Superset can
import, whose charts name only columns their datasets have, labelled in Vietnamese."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import yaml

BUNDLE = Path(__file__).resolve().parents[2] / "bi" / "dashboard"
SCRIPT = BUNDLE.parent / "superset_bi.py"


def load(kind: str) -> dict[str, dict]:
    return {
        path.stem: yaml.safe_load(path.read_text(encoding="utf-8"))
        for path in sorted((BUNDLE / kind).rglob("*.yaml"))
    }


def test_every_reference_in_the_bundle_resolves_by_uuid() -> None:
    databases = load("databases")
    datasets = load("datasets")
    charts = load("charts")
    (dashboard,) = load("dashboards").values()
    assert yaml.safe_load((BUNDLE / "metadata.yaml").read_text())["type"] == "Dashboard"
    database_uuids = {d["uuid"] for d in databases.values()}
    dataset_uuids = {d["uuid"] for d in datasets.values()}
    assert all(d["database_uuid"] in database_uuids for d in datasets.values())
    assert all(c["dataset_uuid"] in dataset_uuids for c in charts.values())
    placed = {
        item["meta"]["uuid"]
        for item in dashboard["position"].values()
        if isinstance(item, dict) and item.get("type") == "CHART"
    }
    assert placed == {c["uuid"] for c in charts.values()}


def test_the_database_is_read_only_and_points_at_the_published_file() -> None:
    (database,) = load("databases").values()
    assert database["sqlalchemy_uri"] == "duckdb:///__TCD_PUBLISHED_DB__"
    assert database["extra"]["engine_params"]["connect_args"] == {"read_only": True}
    assert not any(database[key] for key in ("allow_dml", "allow_ctas", "allow_cvas"))


def test_the_four_charts_the_dashboard_promises_are_there() -> None:
    names = {c["slice_name"] for c in load("charts").values()}
    assert names == {
        "Tiến độ thực hiện chỉ tiêu theo kế hoạch và kỳ",
        "Tình hình nộp báo cáo theo đơn vị",
        "Kết nạp đảng viên theo đối tượng và khu vực qua các kỳ",
        "Phát hiện về chất lượng dữ liệu theo quy tắc",
    }


def test_charts_use_only_their_datasets_columns_and_every_column_has_a_vietnamese_name() -> None:
    datasets = {d["uuid"]: d for d in load("datasets").values()}
    for chart in load("charts").values():
        dataset = datasets[chart["dataset_uuid"]]
        columns = {c["column_name"] for c in dataset["columns"]}
        params = chart["params"]
        used = {
            *params.get("groupby", []),
            *params.get("groupbyRows", []),
            *params.get("groupbyColumns", []),
            *([params["x_axis"]] if "x_axis" in params else []),
        }
        assert used and used <= columns, (chart["slice_name"], used - columns)
        assert all(c["verbose_name"] for c in dataset["columns"])


def test_the_bundle_zip_points_the_database_at_the_published_file(tmp_path: Path) -> None:
    published = tmp_path / "published" / "warehouse.duckdb"
    out = tmp_path / "dashboard.zip"
    subprocess.run(
        [sys.executable, str(SCRIPT), "bundle", "--published", str(published), "--out", str(out)],
        check=True,
        capture_output=True,
    )
    with zipfile.ZipFile(out) as bundle:
        names = bundle.namelist()
        database = yaml.safe_load(bundle.read("tcd_dashboard/databases/kho_du_lieu_tcd.yaml"))
    assert "tcd_dashboard/metadata.yaml" in names
    assert database["sqlalchemy_uri"] == f"duckdb:///{published}"
