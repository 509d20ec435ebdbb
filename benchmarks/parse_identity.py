"""The parser of this tree produces exactly what the parser of a git revision produces.

A change made for speed must not change a single output: every row, value and finding of every
table. This script parses one corpus with both parsers, each in its own process importing its
own tree (the revision is exported with ``git archive``), and compares the tables value by
value, both as ``parse_report`` returns them and as the parsed store writes them to Parquet;
only ``parsed_at`` (the clock) is left out. The corpus:

- the bundled sample reports (.xlsx) and the hostile corpus of ``tests/hostile`` (every case);
- the test fixture in every legal variation, as .xlsx, CSV zip (UTF-8 and Windows-1258);
- the fixture with its KetNap sheet grown around the sizes where the parser changes strategy
  (small sheets in plain Python, larger ones through Arrow): 1 to 300 data rows;
- optionally ``--count`` report versions landed in a home (``--home``), e.g. a benchmark's.

    .venv/bin/python benchmarks/parse_identity.py --ref main --home /work/b16/home --count 1000

Exit status 0 when every table is identical, 1 otherwise (the first differences are printed).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TABLES = ("report", "tong_hop", "ket_nap", "to_chuc", "findings")
KEY = b"parse-identity-key"
# KetNap data rows of the grown fixtures: both sides of every size the parser treats apart.
STORE_PERIOD, STORE_BATCH = "identity", "b0"
GROWN_ROWS = (1, 2, 5, 30, 62, 63, 64, 65, 66, 67, 100, 300)


def _meta(path: Path, unit: str, period: str, names: tuple[str, ...], report_id: str) -> dict:
    return {
        "report_id": report_id,
        "unit_code": unit,
        "period_code": period,
        "version": 1,
        "sha256": "0" * 64,
        "file_name": path.name,
        "source_uri": f"file://{path}",
        "received_at": datetime(2024, 7, 5, 3, 0, tzinfo=UTC).isoformat(),
        "unit_names": list(names),
    }


def _fixture_inputs(folder: Path) -> list[dict]:
    sys.path.insert(0, str(REPO))
    from benchmarks.parse_throughput import big_sheets
    from tests.reports.builders import (
        ALL_VARIATIONS,
        PERIOD,
        UNIT_CODE,
        UNIT_NAMES,
        Variant,
        build_csv_zip,
        build_xlsx,
        sheets,
    )

    inputs = []

    def add(path: Path) -> None:
        report_id = f"fixture-{len(inputs):04d}"
        inputs.append(
            {"path": str(path), "meta": _meta(path, UNIT_CODE, PERIOD, UNIT_NAMES, report_id)}
        )

    for number, variant in enumerate((Variant(), ALL_VARIATIONS, Variant(title_rows=False))):
        sheet_list = sheets(variant)
        for kind in ("xlsx", "zip", "cp1258"):
            target = folder / f"variant{number}-{kind}" / f"{UNIT_CODE}_{PERIOD}"
            target.parent.mkdir(parents=True)
            if kind == "xlsx":
                add(build_xlsx(target.with_suffix(".xlsx"), sheet_list=sheet_list))
            else:
                encoding = "cp1258" if kind == "cp1258" else "utf-8"
                add(
                    build_csv_zip(
                        target.with_suffix(".zip"), encoding=encoding, sheet_list=sheet_list
                    )
                )
    for rows in GROWN_ROWS:
        sheet_list = big_sheets(rows, seed=rows)
        for kind in ("xlsx", "zip"):
            target = folder / f"grown{rows}-{kind}" / f"{UNIT_CODE}_{PERIOD}.{kind}"
            target.parent.mkdir(parents=True)
            build = build_xlsx if kind == "xlsx" else build_csv_zip
            add(build(target, sheet_list=sheet_list))
    return inputs


def _sample_and_hostile_inputs(folder: Path) -> list[dict]:
    from dagster_project.ingest.registry import load_registry
    from tests.hostile.corpus import all_cases

    registry = load_registry()
    sources = sorted((REPO / "sources" / "samples" / "reports").glob("*/*.xlsx"))
    inputs = []

    def add(path: Path, name: str) -> None:
        unit, _, period = name.partition("_")
        meta = _meta(path, unit, period[:7], registry.names_for(unit), f"sample-{len(inputs):04d}")
        inputs.append({"path": str(path), "meta": meta})

    for source in sources:
        add(source, source.stem)
    for number, case in enumerate(all_cases()):
        source = sources[number % len(sources)]
        target = folder / f"hostile-{case.name}"
        target.mkdir()
        try:
            built = case.build(source, target)
        except Exception as exc:  # a case this tree's builders cannot write: say so, go on
            print(f"skipped hostile case {case.name}: {exc}", file=sys.stderr)
            continue
        add(built, source.stem)
    return inputs


def _landed_inputs(home: Path, registry_path: Path | None, count: int) -> list[dict]:
    from dagster_project.assets.ingestion import report_meta
    from dagster_project.ingest.landing import Landing
    from dagster_project.ingest.registry import load_registry

    landing = Landing(home)
    registry = load_registry(registry_path)
    inputs = []
    for entry in list(landing.entries())[:count]:
        meta = report_meta(entry, registry.names_for(entry.unit_code))
        fields = {name: getattr(meta, name) for name in meta.__dataclass_fields__}
        fields["received_at"] = meta.received_at.isoformat()
        fields["unit_names"] = list(meta.unit_names)
        inputs.append({"path": str(landing.path_of(entry)), "meta": fields})
    return inputs


def _dump(tree: str, inputs_file: str, out: str) -> None:
    """Worker: parse every input with the parser of ``tree``; write one Arrow file per table."""
    sys.path.insert(0, tree)
    import pyarrow as pa
    import pyarrow.feather as feather
    import pyarrow.parquet as pq

    import dagster_project
    from dagster_project.reports import ReportMeta, parse_report

    print(f"parsing with {Path(dagster_project.__file__).parent}", file=sys.stderr)
    from dagster_project.reports.output import ParsedStore

    parts: dict[str, list[pa.Table]] = {name: [] for name in TABLES}
    results = []
    for number, item in enumerate(json.loads(Path(inputs_file).read_text())):
        fields = dict(item["meta"])
        fields["received_at"] = datetime.fromisoformat(fields["received_at"])
        fields["unit_names"] = tuple(fields["unit_names"])
        result = parse_report(Path(item["path"]), ReportMeta(**fields), KEY)
        results.append(result)
        for name in TABLES:
            table = getattr(result, name)
            if name == "report":
                table = table.drop_columns(["parsed_at"])
            parts[name].append(
                table.append_column("input", pa.array([number] * len(table), pa.int32()))
            )
    for name, tables in parts.items():
        feather.write_feather(pa.concat_tables(tables), str(Path(out) / f"{name}.arrow"))
    # The same results as the parsed store writes them: one batch, read back from Parquet.
    store = ParsedStore(Path(out) / "store")
    store.write_batch(STORE_PERIOD, results, STORE_BATCH)
    for name in TABLES:
        path = store.period_dir(name, STORE_PERIOD) / f"{STORE_BATCH}.parquet"
        table = pq.read_table(path)
        if name == "report":
            table = table.drop_columns(["parsed_at"])
        feather.write_feather(table, str(Path(out) / f"stored_{name}.arrow"))


def _run(tree: Path, inputs_file: Path, out: Path) -> None:
    out.mkdir()
    env = {**os.environ, "PYTHONPATH": str(tree)}
    subprocess.run(
        [sys.executable, __file__, "--dump", str(tree), str(inputs_file), str(out)],
        check=True,
        env=env,
        cwd=tree,
    )


def _compare(before: Path, after: Path, inputs: list[dict]) -> bool:
    import pyarrow.feather as feather

    same = True
    for name in (*TABLES, *(f"stored_{table}" for table in TABLES)):
        old = feather.read_table(str(before / f"{name}.arrow"))
        new = feather.read_table(str(after / f"{name}.arrow"))
        if old.schema != new.schema:
            print(f"{name}: schemas differ\n{old.schema}\n---\n{new.schema}")
            same = False
            continue
        if old.equals(new):
            print(f"{name}: {old.num_rows} rows identical")
            continue
        same = False
        old_rows, new_rows = old.to_pylist(), new.to_pylist()
        print(f"{name}: {old.num_rows} rows before, {new.num_rows} after, differences:")
        shown = 0
        for index in range(max(len(old_rows), len(new_rows))):
            a = old_rows[index] if index < len(old_rows) else None
            b = new_rows[index] if index < len(new_rows) else None
            if a != b:
                where = inputs[(a or b)["input"]]["path"] if "input" in (a or b) else "-"
                print(f"  row {index} ({where}):\n    before {a}\n    after  {b}")
                shown += 1
                if shown == 5:
                    break
    return same


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--dump":
        _dump(*sys.argv[2:5])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ref", default="main", help="git revision to compare with")
    parser.add_argument("--home", type=Path, help="a home whose landed reports join the corpus")
    parser.add_argument("--registry", type=Path, help="that home's unit registry")
    parser.add_argument("--count", type=int, default=1000, help="landed reports to take")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "files").mkdir()
        inputs = _fixture_inputs(root / "files") + _sample_and_hostile_inputs(root / "files")
        if args.home:
            inputs += _landed_inputs(args.home, args.registry, args.count)
        inputs_file = root / "inputs.json"
        inputs_file.write_text(json.dumps(inputs))
        tree = root / "tree"
        tree.mkdir()
        archive = subprocess.run(
            ["git", "-C", str(REPO), "archive", args.ref], check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
        print(f"{len(inputs)} report files; parsing with {args.ref} and with this tree")
        _run(tree, inputs_file, root / "before")
        _run(REPO, inputs_file, root / "after")
        return 0 if _compare(root / "before", root / "after", inputs) else 1


if __name__ == "__main__":
    sys.exit(main())
