"""The least any run of this stack costs: Python, Dagster, dagster-dbt, dbt on DuckDB and GX.

    .venv/bin/python benchmarks/stack_floor.py            # 5 repeats of each measure
    .venv/bin/python benchmarks/stack_floor.py --repeats 3

It builds, in a temporary folder, the smallest pipeline made of the warehouse's parts: one dbt
model on DuckDB (`select 1`) with one `not_null` test, loaded as a Dagster asset through
dagster-dbt's `DbtCliResource` (its manifest prepared beforehand, as `make setup` does), and one
Dagster asset after it that validates the model's single row with one GX expectation. It then
times, each in a fresh process as a night starts one:

- the interpreter alone, then importing Dagster, dagster-dbt and Great Expectations;
- `dbt build` of the one-model project from the command line;
- the whole pipeline, run as `tcd load` runs a job: `execute_in_process` in a new Python
  process, recorded in a file-backed (SQLite) Dagster instance; once with dagster-dbt's stock
  `DbtCliResource` and once with the warehouse's (`WarehouseDbtCli`, which skips the adapter
  dagster-dbt opens in-process and its `dbt --version`).

No warehouse data is read: the figures are what the stack costs before any row. Prints the
median and range of each; figures, not assertions.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
DBT = str(Path(PYTHON).parent / "dbt")

PIPELINE = """
import os
import sys

import dagster as dg
import duckdb
from dagster_dbt import DbtCliResource, DbtProject, dbt_assets

if os.environ.get("FLOOR_RESOURCE") == "warehouse":
    sys.path.insert(0, REPO)
    from dagster_project.resources.dbt_project import WarehouseDbtCli as Resource
else:
    Resource = DbtCliResource

project = DbtProject(project_dir=PROJECT_DIR, profiles_dir=PROJECT_DIR)


@dbt_assets(manifest=project.manifest_path)
def floor_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    yield from dbt.cli(["build"], context=context).stream()


@dg.asset(deps=[dg.AssetKey("one")])
def checked_one() -> None:
    import great_expectations as gx

    with duckdb.connect(DATABASE, read_only=True) as con:
        frame = con.sql("select * from one").df()
    context = gx.get_context(mode="ephemeral")
    batch = (
        context.data_sources.add_pandas("floor")
        .add_dataframe_asset("one")
        .add_batch_definition_whole_dataframe("whole")
        .get_batch(batch_parameters={"dataframe": frame})
    )
    result = batch.validate(gx.expectations.ExpectColumnValuesToNotBeNull(column="id"))
    if not result.success:
        raise RuntimeError("the floor pipeline's one row failed its expectation")


defs = dg.Definitions(
    assets=[floor_models, checked_one],
    jobs=[dg.define_asset_job("floor", selection=dg.AssetSelection.all())],
    resources={"dbt": Resource(project_dir=project, dbt_executable=DBT)},
)

if __name__ == "__main__":
    with dg.DagsterInstance.get() as instance:
        result = defs.resolve_job_def("floor").execute_in_process(instance=instance)
    if not result.success:
        raise SystemExit("the floor pipeline failed")
"""


def write_project(folder: Path) -> Path:
    """The one-model dbt project and the pipeline module; returns the module's path."""
    project = folder / "dbt"
    (project / "models").mkdir(parents=True)
    (project / "dbt_project.yml").write_text(
        "name: stack_floor\nversion: '1.0'\nprofile: stack_floor\nmodel-paths: [models]\n"
        "models:\n  stack_floor:\n    +materialized: table\n",
        encoding="utf-8",
    )
    database = folder / "floor.duckdb"
    (project / "profiles.yml").write_text(
        f"stack_floor:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n"
        f"      path: {database}\n      threads: 2\n",
        encoding="utf-8",
    )
    (project / "models" / "one.sql").write_text("select 1 as id\n", encoding="utf-8")
    (project / "models" / "one.yml").write_text(
        textwrap.dedent(
            """\
            models:
              - name: one
                columns:
                  - name: id
                    data_tests: [not_null]
            """
        ),
        encoding="utf-8",
    )
    module = folder / "floor_pipeline.py"
    module.write_text(
        f"PROJECT_DIR = {str(project)!r}\nDATABASE = {str(database)!r}\nDBT = {DBT!r}\n"
        f"REPO = {str(REPO)!r}\n" + PIPELINE,
        encoding="utf-8",
    )
    return module


def timed(argv: list[str], env: dict[str, str], cwd: Path) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return seconds


@contextmanager
def floor_pipeline() -> Iterator[tuple[Path, Path, dict[str, str]]]:
    """A temporary folder with the one-model project, its manifest prepared, the pipeline
    module and the environment to run them in: (folder, module, env)."""
    with tempfile.TemporaryDirectory(prefix="tcd-stack-floor-") as tmp:
        folder = Path(tmp)
        module = write_project(folder)
        env = {
            **os.environ,
            "DAGSTER_HOME": str(folder / "dagster_home"),
            "DBT_PROFILES_DIR": str(folder / "dbt"),
            "DO_NOT_TRACK": "1",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "FLOOR_RESOURCE": "warehouse",
        }
        (folder / "dagster_home").mkdir()
        (folder / "dagster_home" / "dagster.yaml").write_text(
            "telemetry:\n  enabled: false\n", encoding="utf-8"
        )
        # The manifest, prepared once as `make setup` prepares the warehouse's.
        timed([DBT, "parse", "--project-dir", str(folder / "dbt")], env, folder)
        yield folder, module, env


def measure(argv: list[str], env: dict[str, str], cwd: Path, repeats: int) -> list[float]:
    """Seconds of ``repeats`` runs of ``argv``, after one run that warms the file cache and
    dbt's partial parse."""
    timed(argv, env, cwd)
    return [timed(argv, env, cwd) for _ in range(repeats)]


def pipeline_floor(repeats: int = 1) -> float:
    """Median seconds of the one-row pipeline with the warehouse's dbt resource."""
    with floor_pipeline() as (folder, module, env):
        return statistics.median(measure([PYTHON, str(module)], env, folder, repeats))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    with floor_pipeline() as (folder, module, env):
        project = str(folder / "dbt")
        measures = {
            "python, nothing imported": [PYTHON, "-c", "pass"],
            "import dagster": [PYTHON, "-c", "import dagster"],
            "import dagster, dagster_dbt": [PYTHON, "-c", "import dagster, dagster_dbt"],
            "import great_expectations": [PYTHON, "-c", "import great_expectations"],
            "dbt build, one model and test": [DBT, "build", "--project-dir", project],
            "one-row pipeline, stock dagster-dbt": [PYTHON, str(module)],
            "one-row pipeline, warehouse's dbt resource": [PYTHON, str(module)],
        }
        stock = {"one-row pipeline, stock dagster-dbt"}
        print(f"machine: {os.cpu_count()} cores, Python {platform.python_version()}")
        print(f"{'measure':<44} {'median s':>9} {'min s':>7} {'max s':>7}")
        for name, argv in measures.items():
            run_env = {**env, "FLOOR_RESOURCE": "stock"} if name in stock else env
            runs = measure(argv, run_env, folder, args.repeats)
            print(f"{name:<44} {statistics.median(runs):>9.2f} {min(runs):>7.2f} {max(runs):>7.2f}")
        note = (
            f"Each measure is a fresh process, timed {args.repeats}x after one warm-up. A "
            "pipeline is one Dagster run of a dbt build and one GX expectation, recorded in a "
            "SQLite instance; the warehouse's dbt resource skips dagster-dbt's in-process "
            "adapter and its `dbt --version`."
        )
        print(textwrap.fill(note, width=78))


if __name__ == "__main__":
    main()
