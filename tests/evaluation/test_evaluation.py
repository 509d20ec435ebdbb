"""The evaluation written from the demo warehouse states the seed articles' figures (seed 003
for Lào Cai 2024-H1, seed 001 for the Ninh Bình bloc 2023-H1), every figure traced to report rows
that exist in the published marts and add up to it, and its HTML renders in a browser."""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
from collections import defaultdict
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import dagster as dg
import docx
import duckdb
import pytest

from dagster_project.assets.evaluation import evaluation_reports
from dagster_project.evaluation import latest_periods, write_evaluation
from dagster_project.evaluation.numbers import truncated_pct
from dagster_project.resources import WarehouseResource
from tests.integration.conftest import LoadRun, run_tcd

pytestmark = pytest.mark.integration

ARTICLE_003_UNITS_WITHOUT_PRIVATE_ADMISSION = {
    "Thị xã Sa Pa", "Huyện Bảo Yên", "Huyện Bắc Hà", "Huyện Si Ma Cai", "Huyện Mường Khương",
}  # fmt: skip


class _Text(HTMLParser):
    """The visible text of the page, figure-id superscripts, styles and charts left out."""

    SKIP = frozenset({"sup", "style", "svg", "title"})

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.depth = 0

    def handle_starttag(self, tag, attrs) -> None:
        if tag in self.SKIP:
            self.depth += 1
        elif tag in {"p", "li", "tr", "h1", "h2", "h3", "figcaption"}:
            self.parts.append("\n")
        elif tag in {"td", "th"}:
            self.parts.append(" | ")

    def handle_endtag(self, tag) -> None:
        if tag in self.SKIP:
            self.depth -= 1

    def handle_data(self, data) -> None:
        if not self.depth:
            self.parts.append(data)


def html_text(path: Path) -> str:
    parser = _Text()
    parser.feed(path.read_text(encoding="utf-8"))
    return re.sub(r"[ \t]+", " ", "".join(parser.parts))


def docx_text(path: Path) -> str:
    """Paragraphs and table rows of the Word file, the superscript figure ids left out."""
    document = docx.Document(str(path))

    def visible(paragraph) -> str:
        return "".join(run.text for run in paragraph.runs if not run.font.superscript)

    lines = [visible(p) for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append(" | " + " | ".join(visible(c.paragraphs[0]) for c in row.cells))
    return "\n".join(lines)


def write(demo_load: LoadRun, out: Path, *args: str) -> Path:
    proc = run_tcd("report", "--home", str(demo_load.home), "--out", str(out), *args)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out


@pytest.fixture(scope="module")
def lao_cai(demo_load: LoadRun, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("danh_gia_10")
    return write(demo_load, out, "--period", "2024-H1", "--unit", "10", "--plan", "DA24-TU")


@pytest.fixture(scope="module")
def ninh_binh(demo_load: LoadRun, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("danh_gia_37")
    return write(demo_load, out, "--period", "2023-H1", "--unit", "37-CQDN")


def texts(folder: Path, stem: str) -> list[str]:
    return [
        docx_text(folder / f"{stem}_danh-gia.docx"),
        html_text(folder / f"{stem}_danh-gia.html"),
    ]


# Phrases of the shipped template with the article's figures, as the article writes them.
SEED_003 = {
    "F09a": "thực hiện được 33 (mục tiêu từ 25 - 30)",
    "F09b": "thực hiện được 3.274 (mục tiêu từ 2.500 - 3.000)",
    "F09c": "thực hiện được 16 (mục tiêu mỗi năm 3)",
    "F10": "Mở 17 lớp bồi dưỡng nhận thức về Đảng, trong đó có 28 học viên là người lao động "
    "trong các đơn vị kinh tế tư nhân",
    "F11": "Kết nạp 15 đảng viên trong các đơn vị kinh tế tư nhân, nâng tổng số đảng viên trong "
    "các đơn vị kinh tế tư nhân được kết nạp từ khi thực hiện đề án đến nay là 174",
    "F12a": "Thành lập mới 3 tổ chức đảng trong đơn vị kinh tế tư nhân, nâng tổng số lên 7 tổ "
    "chức đảng",
    "F12b": "thực hiện được 7 (mục tiêu 15), bằng 46% mục tiêu",
    "F14a": "đạt 1% so với tổng số đảng viên trong đơn vị kinh tế tư nhân (1.434)",
    "F14b": "mục tiêu đề án mỗi năm 4%, tương đương 58 trở lên/1.434",
}
SEED_001 = {
    "F15a": "thực hiện được 227 (mục tiêu 300), bằng 75,6% mục tiêu",
    "F15bcd": "Kết nạp 227 đảng viên, trong đó 110 công nhân, người lao động (48,4%), 41 học "
    "sinh, sinh viên (18,06%), trong đó 8 học sinh trung học phổ thông",
    "F15e": "Cả năm 2022 kết nạp 311 đảng viên, trong đó 33 học sinh, sinh viên",
}


@pytest.mark.parametrize("figure", sorted(SEED_003))
def test_lao_cai_2024_h1_states_the_figures_of_seed_003(lao_cai: Path, figure: str) -> None:
    for text in texts(lao_cai, "10_2024-H1"):
        assert SEED_003[figure] in text


def test_the_stock_of_a_share_target_is_read_from_the_published_warehouse(
    demo_load: LoadRun, tmp_path: Path
) -> None:
    """F14's stock (the 1.434 private-sector members, named) comes from the warehouse the report
    reads, not from whatever targets file the reporting machine has beside it."""
    elsewhere = tmp_path / "sources"
    (elsewhere / "targets").mkdir(parents=True)
    (elsewhere / "targets" / "targets.csv").write_text(
        "plan_code,indicator_code,stock_indicator_code\n", encoding="utf-8"
    )
    out = tmp_path / "out"
    proc = run_tcd(
        "report", "--home", str(demo_load.home), "--out", str(out),
        "--period", "2024-H1", "--unit", "10", "--plan", "DA24-TU",
        env={"TCD_SOURCES_DIR": str(elsewhere)},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for text in texts(out, "10_2024-H1"):
        assert SEED_003["F14a"] in text
        assert SEED_003["F14b"] in text


@pytest.mark.parametrize("figure", sorted(SEED_001))
def test_ninh_binh_bloc_2023_h1_states_the_figures_of_seed_001(ninh_binh: Path, figure) -> None:
    for text in texts(ninh_binh, "37-CQDN_2023-H1"):
        assert SEED_001[figure] in text


def _units_without_private_admission(text: str) -> set[str]:
    lead = "Đơn vị chưa kết nạp được đảng viên trong đơn vị kinh tế tư nhân trong kỳ: "
    line = next(line for line in text.splitlines() if lead in line)
    return {name.strip() for name in line.split(lead, 1)[1].rstrip(".").split(",")}


def test_lao_cai_lagging_units_are_the_five_of_seed_003(lao_cai: Path) -> None:
    for text in texts(lao_cai, "10_2024-H1"):
        assert _units_without_private_admission(text) == ARTICLE_003_UNITS_WITHOUT_PRIVATE_ADMISSION


def test_lagging_units_are_those_the_marts_show_without_private_admission(
    demo_load: LoadRun, lao_cai: Path
) -> None:
    expected = {
        name
        for (name,) in demo_load.query(
            """
            select max(u.unit_name) from marts.dim_reporting_unit as u
            where u.province_code = '10' and u.is_reporting
                and date '2024-06-30' between u.valid_from and u.valid_to
                and not exists (select 1 from marts.fct_admissions as a
                    where a.unit_code = u.unit_code and a.period_code = '2024-H1'
                        and a.is_private_sector)
            group by u.unit_code
            """
        )
    }  # fmt: skip
    assert expected >= ARTICLE_003_UNITS_WITHOUT_PRIVATE_ADMISSION
    for text in texts(lao_cai, "10_2024-H1"):
        assert _units_without_private_admission(text) == expected


def read_provenance(path: Path) -> dict[str, list[dict]]:
    by_figure: dict[str, list[dict]] = defaultdict(list)
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            by_figure[row["figure_id"]].append(row)
    return by_figure


def _rows(spec: str) -> list[int]:
    out = []
    for part in spec.split():
        first, _, last = part.partition("-")
        out.extend(range(int(first), int(last or first) + 1))
    return out


def _check_source(con: duckdb.DuckDBPyConnection, row: dict) -> None:
    """The report version exists in the published marts and its rows give the stated value."""
    report = row["report_id"]
    assert con.execute(
        "select count(*) from marts.mart_reporting_completeness where report_id = ? "
        "and status = 'accepted'",
        [report],
    ).fetchone() == (1,), report
    value = Decimal(row["source_value"])
    if row["sheet"] == "TongHop":
        found = con.execute(
            "select reported_value from marts.mart_indicators where report_id = ? "
            "and indicator_code = ?",
            [report, row["row_label"]],
        ).fetchone()
        assert found is not None and Decimal(found[0]) == value, row
        return
    rows = _rows(row["rows"])
    assert rows and rows[0] == int(row["row_first"]) and rows[-1] == int(row["row_last"])
    if row["sheet"] == "KetNap":
        found = con.execute(
            "select count(*) from marts.fct_admissions where report_id = ? "
            "and list_contains(?, row_number)",
            [report, rows],
        ).fetchone()[0]
        assert found == len(rows) == value, row
    else:
        assert row["sheet"] == "ToChuc", row
        count, members = con.execute(
            "select count(*), sum(party_members) from marts.fct_enterprise_snapshots "
            "where report_id = ? and list_contains(?, row_number)",
            [report, rows],
        ).fetchone()
        assert count == len(rows), row
        assert value in (len(rows), members), row  # organisations counted, or members summed


@pytest.mark.parametrize("which", ["lao_cai", "ninh_binh"])
def test_every_figure_is_traced_to_report_rows_that_add_up_to_it(
    demo_load: LoadRun, request, which: str
) -> None:
    folder: Path = request.getfixturevalue(which)
    (provenance,) = folder.glob("*_nguon.csv")
    by_figure = read_provenance(provenance)
    stated = set(re.findall(r"\bS\d{2}\b", (folder / provenance.name.replace(
        "_nguon.csv", "_danh-gia.html")).read_text(encoding="utf-8")))  # fmt: skip
    assert stated and stated <= set(by_figure), "every id in the text has sources"
    with duckdb.connect(str(demo_load.published), read_only=True) as con:
        for figure_id, rows in by_figure.items():
            value = Decimal(rows[0]["value"]) if rows[0]["value"] else None
            roles = {row["role"] for row in rows}
            if roles == {"nguon"}:
                for row in rows:
                    _check_source(con, row)
                assert sum(Decimal(row["source_value"]) for row in rows) == value, figure_id
            elif roles == {"khong_co_dong_nao"}:
                assert value == 0, figure_id
            elif roles == {"muc_tieu"}:
                assert rows[0]["query"] == "plan_targets", figure_id  # set in the targets file
            else:
                parts = sorted(roles)
                assert [r.split(":")[0] for r in parts] == ["mau_so", "tu_so"], figure_id
                whole = Decimal(by_figure[parts[0].split(":")[1]][0]["value"])
                part = Decimal(by_figure[parts[1].split(":")[1]][0]["value"])
                decimals = len(rows[0]["text"].rstrip("%").partition(",")[2])
                assert truncated_pct(part, whole, decimals) == value, figure_id


def test_html_is_self_contained_and_renders_in_chromium(lao_cai: Path, tmp_path: Path) -> None:
    page = lao_cai / "10_2024-H1_danh-gia.html"
    html = page.read_text(encoding="utf-8")
    assert "<svg" in html
    assert not re.search(r"<(script|link|img|iframe)\b", html), "no external resource"
    references = re.findall(r"(?:src|href)\s*=\s*\"([^\"]*)\"", html)
    assert all(ref.startswith("#") for ref in references), "only the SVG's own glyphs"
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("Debian package chromium is not installed (apt-get install -y chromium)")
    shot = tmp_path / "page.png"
    proc = subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         "--window-size=1000,2400", f"--screenshot={shot}", page.as_uri()],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert shot.exists(), proc.stderr
    from PIL import Image

    image = Image.open(shot).convert("RGB")
    assert image.size == (1000, 2400)
    colours = image.getcolors(maxcolors=1 << 20)
    dark = sum(count for count, (r, g, b) in colours if r + g + b < 200)
    green = sum(count for count, (r, g, b) in colours if g > 100 and r < 80 and b < 80)
    assert dark > 20_000, "text is drawn"
    assert green > 2_000, "the attainment chart's green bars are drawn"


def test_missing_and_quarantined_reports_are_named_with_the_figures(
    demo_load: LoadRun, tmp_path: Path
) -> None:
    """The published file as it is when Mường Khương (083) has sent nothing for 2024-H1 and
    Si Ma Cai's (084) only version was quarantined: no rows of theirs reach the marts."""
    db = tmp_path / "warehouse.duckdb"
    shutil.copy(demo_load.published, db)
    with duckdb.connect(str(db)) as con:
        con.execute(
            "update marts.mart_reporting_completeness set status = case unit_code when '083' "
            "then 'missing' else 'quarantined' end, report_id = case unit_code when '083' then "
            "null else report_id end, on_time = null "
            "where unit_code in ('083', '084') and period_code = '2024-H1'"
        )
        for table in ("fct_admissions", "fct_organization_events", "fct_enterprise_snapshots",
                      "mart_indicators"):  # fmt: skip
            con.execute(
                f"delete from marts.{table} where unit_code in ('083', '084') "
                "and period_code = '2024-H1'"
            )
    evaluation = write_evaluation(db, "10", "2024-H1", tmp_path / "out", ["DA24-TU"])
    caveat = (
        "chưa bao gồm 2 báo cáo chưa gửi hoặc bị giữ lại: Huyện Mường Khương 2024-H1 – chưa gửi "
        "báo cáo, Huyện Si Ma Cai 2024-H1 – báo cáo bị giữ lại do lỗi"
    )
    for text in [docx_text(evaluation.docx), html_text(evaluation.html)]:
        lines = [line for line in text.splitlines() if line.startswith("Mở ")]
        assert lines and caveat in lines[0]
        assert "Kết nạp " in text and text.count(caveat) >= 4
        assert f"Lưu ý: số liệu trong bảng, kỳ 2024-H1 ({caveat})." in text
        assert (
            "Báo cáo chưa gửi hoặc bị giữ lại: Huyện Mường Khương (chưa gửi), "
            "Huyện Si Ma Cai (bị giữ lại do lỗi)."
        ) in text
        unit_names = _units_without_private_admission(text)
        assert not unit_names & {"Huyện Mường Khương", "Huyện Si Ma Cai"}, "unknown, not zero"
        assert "Tất cả đơn vị đã gửi báo cáo" not in text


def test_the_pipeline_writes_every_province_for_its_latest_period(demo_load: LoadRun) -> None:
    latest = latest_periods(demo_load.published)
    assert ("10", "2024-H2") in latest
    for province, period in latest:
        for suffix in ("_danh-gia.docx", "_danh-gia.html", "_nguon.csv"):
            assert (demo_load.home / "reports" / f"{province}_{period}{suffix}").is_file()


def test_the_asset_attaches_the_html_and_a_preview(demo_load: LoadRun, tmp_path: Path) -> None:
    (tmp_path / "published").mkdir()
    shutil.copy(demo_load.published, tmp_path / "published" / "warehouse.duckdb")
    result = dg.materialize(
        [evaluation_reports], resources={"warehouse": WarehouseResource(home=str(tmp_path))}
    )
    assert result.success
    (materialization,) = result.asset_materializations_for_node("evaluation_reports")
    metadata = materialization.metadata
    html = Path(metadata["10_2024-H2 html"].value.removeprefix("file://"))
    assert html.is_file() and html.parent == tmp_path / "reports"
    preview = metadata["10_2024-H2 preview"].value
    assert preview.startswith("# ĐÁNH GIÁ KẾT QUẢ 6 THÁNG CUỐI NĂM 2024") and "[[" not in preview
    drawn = metadata["charts_drawn"].value
    assert drawn >= len(latest_periods(tmp_path / "published" / "warehouse.duckdb"))
    assert metadata["charts_reused"].value == 0
    again = dg.materialize(
        [evaluation_reports], resources={"warehouse": WarehouseResource(home=str(tmp_path))}
    )
    (second,) = again.asset_materializations_for_node("evaluation_reports")
    assert second.metadata["charts_drawn"].value == 0, "the same figures: nothing drawn"
    assert second.metadata["charts_reused"].value == drawn


def test_unknown_unit_or_plan_is_a_sentence(demo_load: LoadRun, tmp_path: Path) -> None:
    proc = run_tcd(
        "report", "--home", str(demo_load.home), "--out", str(tmp_path), "--period", "2024-H1",
        "--unit", "99",
    )  # fmt: skip
    assert proc.returncode == 2 and "unit '99' is not in dim_reporting_unit" in proc.stderr
    proc = run_tcd(
        "report", "--home", str(demo_load.home), "--out", str(tmp_path), "--period", "2024-H1",
        "--unit", "10", "--plan", "NB-CQDN-2023",
    )  # fmt: skip
    assert proc.returncode == 2 and "found: DA24-TU, LC-CDCS-2024" in proc.stderr
    assert "Traceback" not in proc.stderr and not list(tmp_path.iterdir())
