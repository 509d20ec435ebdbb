"""Expectation suites as data: reading them from `expectations/` and filling in their parameters.

Suites are plain GX 1.x JSON so that they can be read, reviewed and diffed without Great
Expectations installed, and loaded here without importing it (the import costs seconds). Value
sets that the business owns (category codes, ownership types, indicator codes) are never copied
into a suite: a suite names them as ``{"$PARAMETER": "codes_doi_tuong"}`` and they are filled in
from the dbt seeds, the one place those lists live.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dagster_project.settings import DBT_PROJECT_DIR, EXPECTATIONS_DIR

SEEDS_DIR = DBT_PROJECT_DIR / "seeds"

PARAMETER_KEY = "$PARAMETER"


def load_suite_dict(name: str, *, expectations_dir: Path = EXPECTATIONS_DIR) -> dict[str, Any]:
    """Read one suite from ``expectations/<name>.json``.

    A mart family file holds the expectations of several tables, each tagged with
    ``meta.table``; ``"<family>.<table>"`` returns the suite for that one table, named so.
    """
    family, _, table = name.partition(".")
    path = expectations_dir / f"{family}.json"
    if not path.exists():
        raise FileNotFoundError(f"No expectation suite {family!r}: {path} does not exist")
    suite = json.loads(path.read_text(encoding="utf-8"))
    if not table:
        return suite
    selected = [e for e in suite["expectations"] if e.get("meta", {}).get("table") == table]
    if not selected:
        raise KeyError(f"Suite {family!r} has no expectations for table {table!r}")
    return {**suite, "name": name, "expectations": selected}


def suite_tables(family: str, *, expectations_dir: Path = EXPECTATIONS_DIR) -> list[str]:
    """Tables a mart family suite covers, in the order they first appear."""
    tables: list[str] = []
    for expectation in load_suite_dict(family, expectations_dir=expectations_dir)["expectations"]:
        table = expectation.get("meta", {}).get("table")
        if table and table not in tables:
            tables.append(table)
    return tables


def _read_seed(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def suite_parameters(seeds_dir: Path = SEEDS_DIR) -> dict[str, Any]:
    """Value sets the suites refer to by name, read from the dbt seeds.

    ``codes_<domain>`` for every domain of ``coded_values.csv``, ``indicator_codes`` from the
    indicator catalogue and ``rule_codes`` from the data-quality rule register. A missing seed
    yields no parameters; expectations that need them are then reported as skipped. Ethnicity
    is not checked against its list: an unknown group is a parser warning, published and
    flagged, so a blocking check on it would hold back data the rules let through.
    """
    parameters: dict[str, Any] = {}
    coded = seeds_dir / "coded_values.csv"
    if coded.exists():
        for row in _read_seed(coded):
            parameters.setdefault(f"codes_{row['domain'].strip()}", []).append(row["code"].strip())
    catalogue = seeds_dir / "indicator_catalogue.csv"
    if catalogue.exists():
        parameters["indicator_codes"] = [r["indicator_code"].strip() for r in _read_seed(catalogue)]
    rules = seeds_dir / "dq_rules.csv"
    if rules.exists():
        rows = _read_seed(rules)
        parameters["rule_codes"] = [r["rule_code"].strip() for r in rows]
        for row in rows:  # scalar rule parameters, e.g. min_age=18 of DQ_AGE_UNDER_18
            for item in filter(str.strip, (row.get("parameters") or "").split(";")):
                name, _, value = item.partition("=")
                parameters[name.strip()] = int(value) if value.strip().isdigit() else value.strip()
    return parameters


def _resolved(value: Any) -> Any:
    """A value set becomes a list GX accepts; a scalar parameter (a bound) stays itself."""
    return list(value) if isinstance(value, list | tuple | set | frozenset) else value


def parameters_used(expectation: Mapping[str, Any]) -> list[str]:
    """Names of the suite parameters one expectation's kwargs refer to."""
    return [
        value[PARAMETER_KEY]
        for value in expectation.get("kwargs", {}).values()
        if isinstance(value, Mapping) and PARAMETER_KEY in value
    ]


def resolve_parameters(
    suite: Mapping[str, Any], parameters: Mapping[str, Any]
) -> tuple[dict[str, Any], list[str]]:
    """Substitute parameter references; drop expectations whose parameters are unknown.

    Substituting before GX sees the suite keeps the value set visible in the Data Docs page and
    in findings. Returns the runnable suite and a reason for every expectation left out.
    """
    kept: list[dict[str, Any]] = []
    skipped: list[str] = []
    for expectation in suite["expectations"]:
        missing = [p for p in parameters_used(expectation) if p not in parameters]
        if missing:
            skipped.append(
                f"{expectation['type']}({expectation['kwargs'].get('column', '')}): "
                f"no value for parameter {', '.join(missing)}"
            )
            continue
        kwargs = {
            key: (
                _resolved(parameters[value[PARAMETER_KEY]])
                if isinstance(value, Mapping) and PARAMETER_KEY in value
                else value
            )
            for key, value in expectation["kwargs"].items()
        }
        kept.append({**expectation, "kwargs": kwargs})
    return {**suite, "expectations": kept}, skipped
