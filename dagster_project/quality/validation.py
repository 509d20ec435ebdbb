"""Run one expectation suite over one pandas frame and say plainly what failed.

Great Expectations is imported inside the functions that need it: its import takes seconds, and
the Dagster code location must load without paying for it. One GX context is kept per process
(one per Data Docs folder), because creating contexts and data sources is the slow part after
the import.

Data Docs are rendered once per check step, not once per validation: every rendering rebuilds
the site index (which lists every kept validation) and rewrites pages for offline use, so a step
validating a dozen tables stores each result as it goes (``DataDocsStep``) and renders the
pages of all of them, with one index, when it ends.
"""

from __future__ import annotations

import json
import math
import re
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import numpy as np
import pandas as pd

from dagster_project.quality.data_docs import http_url, localise_site
from dagster_project.quality.frames import add_derived_columns
from dagster_project.quality.suites import load_suite_dict, resolve_parameters, suite_parameters

DATASOURCE = "frames"
DOCS_SITE = "tcd_quality"
INDEX_VALIDATIONS = 200
"""Validations the Data Docs index lists, newest first. GX reads back every result it lists
each time a check step renders the index (about 4 ms each): unbounded, a nightly step read all
the validations the home keeps (90 days of nights) to list them. Older pages stay in the site
until housekeeping removes them, reachable from their check results in Dagster."""
BATCH_DEFINITION = "whole_frame"
SAMPLE_SIZE = 5
RESULT_FORMAT = {
    "result_format": "SUMMARY",
    "partial_unexpected_count": SAMPLE_SIZE,
    "return_unexpected_index_query": False,
}
"""Counts and samples of unexpected values. Not the "query" GX would otherwise write for every
column expectation (``df.filter(items=[...])``, the unexpected rows' index as text): nothing
reads it, and building it filtered the whole frame once more per expectation."""
ROWS_RESULT_FORMAT = {**RESULT_FORMAT, "result_format": "COMPLETE"}
"""Every unexpected row's frame index too: what the gate traces a failure with."""

_DIGIT = re.compile(r"\d")
NO_FINGERPRINT = 0
"""GX's frame-size limit for fingerprinting a batch: none is fingerprinted."""

_contexts: dict[str, Any] = {}
_batch_definitions: dict[tuple[int, str], Any] = {}
"""Batch definitions by (context, suite name); contexts live as long as the process."""
_definitions: dict[tuple[int, str], tuple[str, Any]] = {}
"""Validation definitions stored, by (context, suite name), with the suite they were stored for."""
_lock = threading.Lock()


@dataclass
class DataDocsStep:
    """The validations of one check step whose Data Docs pages are rendered together.

    Each validation stores its result in the site's store and is remembered here; ``render``
    builds their pages and the index once, then points the new pages at the site's own assets.
    """

    docs_dir: Path
    run_name: str | None = None
    identifiers: list[Any] = field(default_factory=list)
    """GX identifiers of the stored validation results and of their suites."""
    started_ns: int = field(default_factory=time.time_ns)

    def render(self) -> int:
        """Build the pages of this step's validations and the index; return pages localised."""
        if not self.identifiers:
            return 0
        with _lock, _docs_lock(self.docs_dir):
            ctx = _context(self.docs_dir)
            ctx.build_data_docs(site_names=[DOCS_SITE], resource_identifiers=self.identifiers)
            self.identifiers = []
            return localise_site(self.docs_dir, since_ns=self.started_ns)


@contextmanager
def data_docs_step(docs_dir: Path | None, run_name: str | None = None) -> Iterator[Any]:
    """A ``DataDocsStep`` for ``docs_dir`` (None without one), rendered when the block ends.

    The pages are rendered even when the block raises, so that every stored validation has its
    page; a validation that did not finish stored nothing.
    """
    if docs_dir is None:
        yield None
        return
    step = DataDocsStep(docs_dir, run_name)
    try:
        yield step
    finally:
        step.render()


def docs_scope(
    docs: DataDocsStep | None, docs_dir: Path | None, run_name: str | None = None
) -> AbstractContextManager[DataDocsStep | None]:
    """The step a group of validations renders into: ``docs`` when the caller has one, else a
    step of its own for ``docs_dir`` (rendered when the block ends; None without a folder)."""
    return nullcontext(docs) if docs is not None else data_docs_step(docs_dir, run_name)


@dataclass
class ValidationOutcome:
    """What a suite found in a frame, in terms a data engineer can act on."""

    success: bool
    evaluated: int
    failed: list[dict[str, Any]]
    """One entry per failed expectation: expectation, column, unexpected_count, sample_values,
    rule_code, description, observed_value and error (when GX could not evaluate it)."""
    docs_url: str | None = None
    """http URL of the rendered validation page as `tcd docs` serves it, when Data Docs were
    requested."""
    docs_path: str | None = None
    """The same page as a file."""
    skipped: list[str] = field(default_factory=list)
    """Expectations not run, each with the reason (unknown parameter, optional column absent)."""
    row_count: int = 0

    @classmethod
    def combined(cls, parts: list[ValidationOutcome]) -> ValidationOutcome:
        """One suite's outcomes over disjoint parts of a table as one outcome: a failed
        expectation appears once, with the unexpected rows of every part counted and the
        first samples kept; the page shown is that of the first part that failed."""
        failed: dict[tuple, dict[str, Any]] = {}
        for part in parts:
            for finding in part.failed:
                key = (finding["expectation"], finding.get("column"), finding.get("rule_code"))
                if key not in failed:
                    failed[key] = {**finding, "sample_values": list(finding["sample_values"])}
                    continue
                kept = failed[key]
                if finding.get("unexpected_count") is not None:
                    kept["unexpected_count"] = (kept.get("unexpected_count") or 0) + finding[
                        "unexpected_count"
                    ]
                room = SAMPLE_SIZE - len(kept["sample_values"])
                kept["sample_values"] += list(finding["sample_values"])[: max(room, 0)]
        shown = next((p for p in parts if not p.success), parts[0] if parts else None)
        return cls(
            success=all(p.success for p in parts),
            evaluated=max((p.evaluated for p in parts), default=0),
            failed=list(failed.values()),
            docs_url=shown.docs_url if shown else None,
            docs_path=shown.docs_path if shown else None,
            skipped=sorted({reason for p in parts for reason in p.skipped}),
            row_count=sum(p.row_count for p in parts),
        )

    def findings_markdown(self) -> str:
        """The failed expectations as a Markdown table for Dagster's metadata panel."""
        if not self.failed:
            return "All expectations passed."
        lines = [
            "| rule | expectation | column | unexpected | sample values |",
            "|---|---|---|---|---|",
        ]
        for f in self.failed:
            sample = f.get("error") or ", ".join(str(v) for v in f["sample_values"])
            if not sample and f.get("observed_value") is not None:
                sample = f"observed: {f['observed_value']}"
            cells = [
                f.get("rule_code") or "",
                f["expectation"],
                f.get("column") or "",
                "" if f.get("unexpected_count") is None else str(f["unexpected_count"]),
                sample,
            ]
            lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
        return "\n".join(lines)


def _json_safe(value: Any) -> Any:
    """Sample values as plain JSON types, so metadata and logs can carry them."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if value is pd.NaT:
        return None
    if isinstance(value, datetime | date | pd.Timestamp):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if hasattr(value, "item"):  # numpy scalars; a datetime64 gives a datetime, made text above
        return _json_safe(value.item())
    return value


def _columns_of(kwargs: Mapping[str, Any]) -> list[str]:
    columns = [kwargs[k] for k in ("column", "column_A", "column_B") if k in kwargs]
    return columns + list(kwargs.get("column_list", []))


def _applicable(suite: dict[str, Any], columns: set[str]) -> tuple[dict[str, Any], list[str]]:
    """Leave out expectations that do not apply to this frame's shape.

    The contract fixes the columns a mart must have, not all it may have. ``meta.optional``
    marks an expectation on a column the mart only may have (``age_at_admission``), applied
    where it exists; ``meta.unless_column`` marks one that a richer shape replaces (a grain that
    an extra history column extends).
    """
    kept, skipped = [], []
    for expectation in suite["expectations"]:
        meta = expectation.get("meta", {})
        absent = [c for c in _columns_of(expectation["kwargs"]) if c not in columns]
        if absent and meta.get("optional"):
            skipped.append(f"{expectation['type']}({', '.join(absent)}): column not present")
        elif meta.get("unless_column") in columns:
            skipped.append(f"{expectation['type']}: replaced, {meta['unless_column']} is present")
        else:
            kept.append(expectation)
    return {**suite, "expectations": kept}, skipped


def _mask_digits(frame: pd.DataFrame, suite: Mapping[str, Any]) -> pd.DataFrame:
    """Replace every digit by 9 in columns that ``meta.mask_digits`` expectations look into.

    Those expectations look for personal numbers (a CCCD quoted in a message); a failure must
    not copy the number into Dagster's event log or the Data Docs. The digit pattern, which is
    all such an expectation tests, survives the masking.
    """
    columns = {
        e["kwargs"]["column"]
        for e in suite["expectations"]
        if e.get("meta", {}).get("mask_digits") and e["kwargs"].get("column") in frame.columns
    }
    for column in columns:
        values = frame[column]
        if isinstance(values.dtype, pd.StringDtype):
            # Each distinct text is masked once (messages repeat), then spread over the rows.
            codes, distinct = pd.factorize(values)
            masked = pd.array([_DIGIT.sub("9", v) for v in distinct], dtype=values.dtype)
            frame[column] = pd.Series(masked.take(codes, allow_fill=True), index=values.index)
        else:
            frame[column] = values.map(
                lambda value: _DIGIT.sub("9", value) if isinstance(value, str) else value
            )
    return frame


BETWEEN = "expect_column_values_to_be_between"


def _compare_as_int64(frame: pd.DataFrame, suite: Mapping[str, Any]) -> pd.DataFrame:
    """Integer columns a range expectation tests, as ``int64`` when no value is missing.

    GX's pandas engine compares a column with its bounds in one vectorised step only when the
    column is ``int64`` or ``float64``; any other integer type (``int32``, as DuckDB types
    INTEGER, or pandas' nullable ``Int64``) it compares one value at a time in Python, which was
    most of the cost of a range check over half a million rows. ``int64`` holds every value of
    those types exactly, so the same rows fail and the same values are shown. A column with a
    missing value keeps its type: as ``float64`` its values would be shown as 16.0 for 16.
    ``uint64`` keeps its type too: ``int64`` cannot hold all of it.
    """
    columns = {
        e["kwargs"]["column"]
        for e in suite["expectations"]
        if e["type"] == BETWEEN and e["kwargs"].get("column") in frame.columns
    }
    for column in columns:
        values = frame[column]
        dtype = values.dtype
        if (
            pd.api.types.is_integer_dtype(dtype)
            and dtype != "int64"
            and (dtype.kind == "i" or dtype.itemsize < 8)
            and not values.isna().any()
        ):
            frame[column] = values.astype("int64")
    return frame


NAMES_ONLY = frozenset(
    {
        "expect_table_columns_to_match_set",
        "expect_table_columns_to_match_ordered_list",
        "expect_table_columns_to_exclude_patterns",
        "expect_table_column_count_to_equal",
        "expect_table_column_count_to_be_between",
        "expect_table_row_count_to_equal",
        "expect_table_row_count_to_be_between",
    }
)
"""Table-level expectations that read the frame's column names and row count, no value."""


def _names_only(frame: pd.DataFrame, suite: Mapping[str, Any]) -> pd.DataFrame:
    """Columns whose values no expectation reads keep their name and lose their values.

    For every column expectation GX's pandas engine copies the whole frame twice (the rows
    where its column is not null, then the unexpected ones among them), every column of it; a
    text column is the costly one to copy. A column the suite only names (in a column list it
    compares with the frame's) becomes a column of one-byte zeros: the frame keeps its names,
    order and rows, and every column an expectation reads keeps its values. When the suite holds
    an expectation whose reads cannot be told from its arguments (a row condition, a table-level
    expectation outside ``NAMES_ONLY``), every column keeps its values.
    """
    read: set[str] = set()
    for expectation in suite["expectations"]:
        kwargs = expectation["kwargs"]
        columns = _columns_of(kwargs)
        if kwargs.get("row_condition") or (not columns and expectation["type"] not in NAMES_ONLY):
            return frame
        read.update(columns)
    for column in frame.columns:
        if column not in read:
            frame[column] = np.zeros(len(frame), dtype=np.int8)
    return frame


@contextmanager
def _docs_lock(docs_dir: Path) -> Iterator[None]:
    """Hold an exclusive lock on the Data Docs folder while GX writes its files there.

    Check steps may run in parallel processes; GX rewrites its project file and the site index
    without locking, so two writers at once could leave either half-written.
    """
    try:
        import fcntl
    except ImportError:  # not POSIX: runs are single-process there in practice
        yield
        return
    docs_dir.mkdir(parents=True, exist_ok=True)
    with (docs_dir / ".lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _context(docs_dir: Path | None) -> Any:
    """The process's GX context: ephemeral, or file-backed in ``docs_dir`` for Data Docs."""
    key = str(docs_dir.resolve()) if docs_dir else ""
    if key in _contexts:
        return _contexts[key]
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig
    from great_expectations.execution_engine import pandas_execution_engine

    import dagster_project.quality.personal_data  # noqa: F401  (registers the expectation)

    # GX hashes every frame it is given (below this many bytes) into a fingerprint it only
    # records among the batch markers; for text columns that is a Python pass over every value,
    # 40% of validating a mart. Nothing here reads the fingerprint.
    pandas_execution_engine.HASH_THRESHOLD = NO_FINGERPRINT

    if docs_dir is None:
        ctx = gx.get_context(mode="ephemeral")
    else:
        docs_dir.mkdir(parents=True, exist_ok=True)
        ctx = gx.get_context(mode="file", project_root_dir=str(docs_dir))
        site = {
            "class_name": "SiteBuilder",
            "site_index_builder": {
                "class_name": "DefaultSiteIndexBuilder",
                "validation_results_limit": INDEX_VALIDATIONS,
            },
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": key,
            },
        }
        known = (ctx.get_config().data_docs_sites or {}).get(DOCS_SITE)
        if known is None:
            ctx.add_data_docs_site(DOCS_SITE, site)
        elif known != site:
            # The project file names the site's folder absolutely: a home that was copied or
            # moved would otherwise go on writing its pages into the old home's site. A site
            # written by an earlier release is brought to this one's settings too.
            ctx.update_data_docs_site(DOCS_SITE, site)
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    for cache in (_batch_definitions, _definitions):
        # Definitions of a context that is gone, whose id the new one may reuse.
        for stale in [k for k in cache if k[0] == id(ctx)]:
            del cache[stale]
    _contexts[key] = ctx
    return ctx


def _batch_definition(ctx: Any, asset_name: str) -> Any:
    """The whole-frame batch definition for one suite, created on first use and then kept for
    the context's lifetime (the process's).

    Existing objects are fetched with ``get``/``get_asset``/``get_batch_definition``: when a
    file context is read back from disk, only those return objects attached to the context
    (iterating ``.assets`` yields detached copies that cannot build a batch).
    """
    key = (id(ctx), asset_name)
    if key not in _batch_definitions:
        _batch_definitions[key] = _find_or_add_batch_definition(ctx, asset_name)
    return _batch_definitions[key]


def _find_or_add_batch_definition(ctx: Any, asset_name: str) -> Any:
    if DATASOURCE in ctx.data_sources.all():
        source = ctx.data_sources.get(DATASOURCE)
    else:
        source = ctx.data_sources.add_pandas(DATASOURCE)
    if asset_name in {a.name for a in source.assets}:
        asset = source.get_asset(asset_name)
    else:
        asset = source.add_dataframe_asset(asset_name)
    if BATCH_DEFINITION in {d.name for d in asset.batch_definitions}:
        return asset.get_batch_definition(BATCH_DEFINITION)
    return asset.add_batch_definition_whole_dataframe(BATCH_DEFINITION)


def _run(
    ctx: Any,
    suite_dict: dict[str, Any],
    df: pd.DataFrame,
    docs: DataDocsStep | None,
    result_format: Mapping[str, Any] = RESULT_FORMAT,
) -> tuple[Any, str | None]:
    """Validate and return (validation result, docs file URL or None).

    With ``docs`` the result is stored in the site's validation store and its identifiers are
    added to ``docs``; the page itself is written when ``docs`` is rendered, at the URL returned.
    """
    import great_expectations as gx
    from great_expectations.core import ExpectationSuite
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    name = suite_dict["name"]
    batch_definition = _batch_definition(ctx, name)
    if docs is None:
        batch = batch_definition.get_batch(batch_parameters={"dataframe": df})
        suite = ExpectationSuite(**suite_dict)
        return batch.validate(suite, result_format=dict(result_format)), None
    # The suite and its validation definition are stored once per process while they stay the
    # same: storing them rewrites and reads back a file each, for every part of every table.
    text = json.dumps(suite_dict, sort_keys=True, default=str)
    stored = _definitions.get((id(ctx), name))
    if stored is None or stored[0] != text:
        suite = ctx.suites.add_or_update(ExpectationSuite(**suite_dict))
        stored = (
            text,
            ctx.validation_definitions.add_or_update(
                gx.ValidationDefinition(name=name, data=batch_definition, suite=suite)
            ),
        )
        _definitions[(id(ctx), name)] = stored
    definition = stored[1]
    run_id = RunIdentifier(run_name=docs.run_name, run_time=datetime.now(UTC))
    result = definition.run(
        batch_parameters={"dataframe": df}, result_format=dict(result_format), run_id=run_id
    )
    suite_identifier = ExpectationSuiteIdentifier(name=name)
    identifier = ValidationResultIdentifier(
        expectation_suite_identifier=suite_identifier,
        run_id=run_id,
        batch_identifier=result.batch_id,
    )
    docs.identifiers += [identifier, suite_identifier]
    urls = ctx.get_docs_sites_urls(
        resource_identifier=identifier, site_name=DOCS_SITE, only_if_exists=False
    )
    return result, (urls[0]["site_url"] if urls else None)


def _finding(expectation_result: Any) -> dict[str, Any]:
    config = expectation_result.expectation_config
    result = dict(expectation_result.result or {})
    columns = _columns_of(config.kwargs)
    exception = expectation_result.exception_info or {}
    error = None
    if exception.get("raised_exception"):
        error = str(exception.get("exception_message") or "").splitlines()[0][:300]
    meta = config.meta or {}
    # Table-level expectations list no unexpected values; the columns they miss are the sample.
    mismatched = (result.get("details") or {}).get("mismatched") or {}
    sample = result.get("partial_unexpected_list") or mismatched.get("missing") or []
    finding = {
        "expectation": config.type,
        "column": ", ".join(columns) if columns else None,
        "unexpected_count": result.get("unexpected_count"),
        "sample_values": _json_safe(sample),
        "observed_value": _json_safe(result.get("observed_value")),
        "rule_code": meta.get("rule_code"),
        "description": meta.get("description"),
        "error": error,
    }
    if result.get("unexpected_index_list") is not None:  # asked for (unexpected_rows)
        finding["unexpected_index_list"] = _json_safe(result["unexpected_index_list"])
    return finding


def validate_frame(
    suite_name: str,
    df: pd.DataFrame,
    *,
    docs_dir: Path | None = None,
    docs: DataDocsStep | None = None,
    parameters: Mapping[str, Any] | None = None,
    run_name: str | None = None,
    unexpected_rows: bool = False,
) -> ValidationOutcome:
    """Validate ``df`` against ``expectations/<suite_name>.json``.

    ``suite_name`` is a sheet suite (``ket_nap``) or ``<family>.<table>`` for a mart
    (``admissions.fct_admissions``). Value-set parameters default to the dbt seeds. With
    ``docs_dir`` the result is also rendered as Data Docs HTML there, as a validation named
    ``run_name`` (the Dagster run id), with every page loading its assets from the site itself.
    With ``docs`` (a ``DataDocsStep``) the result is stored at once and its page rendered with the
    step's other validations when the step ends; ``docs_url`` names that page.
    ``unexpected_rows`` asks for the frame index of every unexpected row (``unexpected_index_list``
    of each failed expectation), which the gate traces to report versions.
    """
    if docs is None and docs_dir is not None:
        with docs_scope(None, docs_dir, run_name) as step:
            return validate_frame(
                suite_name,
                df,
                docs=step,
                parameters=parameters,
                unexpected_rows=unexpected_rows,
            )
    suite_dict = load_suite_dict(suite_name)
    suite_dict, skipped = resolve_parameters(
        suite_dict, suite_parameters() if parameters is None else parameters
    )
    frame = _mask_digits(add_derived_columns(df), suite_dict)
    frame = _names_only(_compare_as_int64(frame, suite_dict), suite_dict)
    suite_dict, absent = _applicable(suite_dict, set(map(str, frame.columns)))
    docs_root = docs.docs_dir if docs is not None else None
    with _lock, _docs_lock(docs_root) if docs_root else nullcontext():
        result, file_url = _run(
            _context(docs_root),
            suite_dict,
            frame,
            docs,
            result_format=ROWS_RESULT_FORMAT if unexpected_rows else RESULT_FORMAT,
        )
    failed = [_finding(r) for r in result.results if not r.success]
    return ValidationOutcome(
        success=bool(result.success),
        evaluated=len(result.results),
        failed=failed,
        docs_url=http_url(file_url, docs_root) if docs_root else None,
        docs_path=unquote(urlparse(file_url).path) if file_url else None,
        skipped=skipped + absent,
        row_count=len(frame),
    )
