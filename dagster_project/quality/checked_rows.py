"""Which rows of each mart have passed their suite, so that a night validates only the others.

Every expectation of a mart suite looks at one row, at the set of columns, or at the uniqueness
of some columns, and the column that every uniqueness expectation of a suite covers is its part
column (``checks.part_column``): a table passes when each group of rows sharing a part value
passes. So once a table has passed, a later run needs to validate only the rows added since,
with the rows sharing their part value.

After a table passes, ``build/mart_checks.json`` records a digest of what it passed (the suite
with its value sets filled in, the Great Expectations release and the code that prepares the
frames) and the table's fingerprint (row count and content hash, as the publish computes it).
A later run takes the published table as the rows that passed when the published table has
exactly that fingerprint and the digest is unchanged; otherwise it validates the table whole.
"""

from __future__ import annotations

import hashlib
import json
import os
from importlib import metadata
from pathlib import Path

import duckdb

from dagster_project.publish.atomic import read_publish_log, sql_literal, table_fingerprint
from dagster_project.quality import frames, suites, validation
from dagster_project.quality.suites import load_suite_dict, resolve_parameters, suite_parameters

RECORD_FILE = "mart_checks.json"
"""``build/mart_checks.json``: for each mart table, the digest and fingerprint it passed with."""


def suite_digest(suite_name: str, parameters: dict | None = None) -> str:
    """A digest of everything a mart check's verdict depends on besides the rows."""
    suite, _ = resolve_parameters(
        load_suite_dict(suite_name), suite_parameters() if parameters is None else parameters
    )
    digest = hashlib.sha256(json.dumps(suite, sort_keys=True, default=str).encode())
    digest.update(metadata.version("great-expectations").encode())
    for module in (frames, suites, validation):
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()


class CheckedRows:
    """The record of a build database's passed mart tables, against the published file."""

    def __init__(self, build_db: Path, published_db: Path):
        self.path = build_db.parent / RECORD_FILE
        self.build_db = build_db
        self.published_db = published_db
        try:
            self.record: dict[str, dict] = json.loads(self.path.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            self.record = {}
        try:
            history = read_publish_log(published_db)
        except duckdb.Error:
            history = []
        self.published = json.loads(history[-1]["fingerprint"]) if history else {}
        self._parameters: dict | None = None
        self._digests: dict[str, str] = {}

    def _digest(self, suite_name: str) -> str:
        if suite_name not in self._digests:
            if self._parameters is None:
                self._parameters = suite_parameters()
            self._digests[suite_name] = suite_digest(suite_name, self._parameters)
        return self._digests[suite_name]

    def baseline(self, suite_name: str, table: str) -> Path | None:
        """The published file when its ``table`` holds exactly rows that passed this suite."""
        entry = self.record.get(table)
        published = self.published.get(table)
        if not entry or not published or entry.get("fingerprint") != published[:2]:
            return None
        return self.published_db if entry.get("digest") == self._digest(suite_name) else None

    def passed(self, suites: dict[str, str]) -> None:
        """Record that each build table, as it is now, passed its suite (``{table: suite}``)."""
        with duckdb.connect(":memory:") as con:
            con.execute(f"attach {sql_literal(str(self.build_db))} as build (read_only)")
            for table, suite_name in suites.items():
                self.record[table] = {
                    "digest": self._digest(suite_name),
                    "fingerprint": table_fingerprint(con, "build", table)[:2],
                }

    def forget(self, table: str | None = None) -> None:
        """Drop the record of ``table`` (of every table when None)."""
        if table is None:
            self.record.clear()
        else:
            self.record.pop(table, None)

    def save(self) -> None:
        tmp = self.path.with_name(f".{self.path.name}.tmp")
        tmp.write_text(json.dumps(self.record, indent=1, sort_keys=True), encoding="utf-8")
        os.replace(tmp, self.path)
