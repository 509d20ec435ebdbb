"""Every hostile case of the corpus, through `tcd validate` and through one real load.

See `corpus.py` for how a case is declared. Both tiers run each tool once for the whole corpus
(one `tcd validate` process, one `tcd load`), then assert case by case.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.hostile.corpus import HostileCase, all_cases
from tests.integration.conftest import REPO, SAMPLE_REPORTS, TCD, LoadRun, run_load

MEMORY_CAP = 1 << 30
"""No hostile file may make a process take more than this (the issue's 1 GiB)."""

CASES = all_cases()
SOURCES = sorted(SAMPLE_REPORTS.glob("*/*.xlsx"))


def slots(cases: list[HostileCase]) -> list[tuple[int, int]]:
    """(batch, source index) for each case: as many cases as the sample has workbooks per batch.

    Cases of one batch share one inbox, so each needs a unit and period of its own. Accepted
    cases come first; a second batch reuses only the sources of refused first-batch cases, so
    every refused case still finds its unit and period published as the demo left it.
    """
    accepted = sum(1 for case in cases if case.accepted)
    assert all(case.accepted for case in cases[:accepted]), "accepted cases must come first"
    size = len(SOURCES)
    assigned = []
    for index in range(len(cases)):
        batch, offset = divmod(index, size)
        assigned.append((batch, offset if batch == 0 else accepted + (batch - 1) * size + offset))
    assert all(source < size for _, source in assigned), "the corpus outgrew the sample"
    return assigned


def ordered(cases: list[HostileCase]) -> list[HostileCase]:
    return [case for case in cases if case.accepted] + [c for c in cases if not c.accepted]


@dataclass
class Built:
    files: dict[str, Path]
    """Case name -> the hostile file or folder it wrote."""
    batches: list[list[str]]
    """Case names by batch: one inbox each."""
    report_ids: dict[str, str] = field(default_factory=dict)
    """Case name -> the report version its file landed as, once loaded."""


def build_corpus(root: Path, cases: list[HostileCase]) -> Built:
    cases = ordered(cases)
    files: dict[str, Path] = {}
    batches: list[list[str]] = []
    for index, (case, (batch, source)) in enumerate(zip(cases, slots(cases), strict=True)):
        folder = root / f"{index:03d}"
        folder.mkdir(parents=True)
        files[case.name] = case.build(SOURCES[source], folder)
        while len(batches) <= batch:
            batches.append([])
        batches[batch].append(case.name)
    for names in batches:
        written = [files[name].name for name in names]
        assert len(set(written)) == len(written), f"two cases wrote the same file name: {written}"
    return Built(files, batches)


def run_measured(args: list[str]) -> tuple[str, str, int]:
    """Run `tcd` and return its stdout, stdout + stderr, and its peak resident memory in bytes."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(
            [str(TCD), *args],
            stdout=out,
            stderr=err,
            cwd=REPO,
            env={**os.environ, "COLUMNS": "200"},
        )
        _, _, usage = os.wait4(proc.pid, 0)
        proc.returncode = 0  # reaped above; keep Popen from waiting again
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode()
        return stdout, stdout + err.read().decode(), usage.ru_maxrss * 1024


@pytest.fixture(scope="module")
def validated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Built, dict[str, dict], str]:
    built = build_corpus(tmp_path_factory.mktemp("corpus_validate"), CASES)
    stdout, output, peak = run_measured(["validate", "--json", *map(str, built.files.values())])
    assert "Traceback" not in output, output
    assert peak < MEMORY_CAP, f"tcd validate peaked at {peak >> 20} MiB"
    document = json.loads(stdout)
    # Keyed by path: cases of different batches may write the same file name.
    by_file = {entry["file"]: entry for entry in document["files"]}
    return built, by_file, output


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_validate_refuses_or_reads_it_clearly(case: HostileCase, validated) -> None:
    built, by_file, _ = validated
    entry = by_file[str(built.files[case.name])]
    found = {finding["rule_code"] for finding in entry["findings"]}
    assert entry["status"] == case.expected_exit, entry
    assert set(case.rules) <= found, entry
    for finding in entry["findings"]:
        for key in ("message_vi", "message_en"):
            message = finding[key] or ""
            assert message and "Error" not in message.split()[0], finding


def test_no_finding_of_any_case_echoes_a_cccd(validated) -> None:
    """Whatever a case puts where, a finding shows a CCCD-shaped value only masked."""
    _, by_file, _ = validated
    cccd = re.compile(r"(?<!\d)\d{11,12}(?!\d)")
    for entry in by_file.values():
        for finding in entry["findings"]:
            for key in ("value", "message_vi", "message_en"):
                assert not cccd.search(finding[key] or ""), (entry["file"], finding)


def test_the_corpus_is_as_large_as_promised() -> None:
    assert len(CASES) >= 40


@pytest.fixture(scope="module")
def corpus_load(
    demo_load: LoadRun, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Built, LoadRun, dict[tuple[str, str], str]]:
    home = tmp_path_factory.mktemp("corpus_home")
    shutil.rmtree(home)
    shutil.copytree(demo_load.home, home)
    before = LoadRun(home, 0, "", "")
    published_before = {
        (unit, period): report_id
        for unit, period, report_id in before.query(
            "select unit_code, period_code, report_id from marts.mart_reporting_completeness "
            "where report_id is not null"
        )
    }
    loading = [case for case in CASES if case.loads]
    built = build_corpus(tmp_path_factory.mktemp("corpus_build"), loading)
    landed_before = {row[0] for row in landed_versions(home)}
    outputs = []
    for batch, names in enumerate(built.batches):
        inbox = tmp_path_factory.mktemp(f"corpus_inbox_{batch}")
        for name in names:
            path = built.files[name]
            if path.is_dir():
                shutil.copytree(path, inbox / path.name, symlinks=True)
            else:
                shutil.copy2(path, inbox / path.name, follow_symlinks=False)
        run = run_load(home, "--demo-key", "--inbox", str(inbox))
        outputs.append(run)
    run = LoadRun(
        home,
        max(r.returncode for r in outputs),
        "".join(r.stdout for r in outputs),
        "".join(r.stderr for r in outputs),
    )
    match_versions(built, landed_before, landed_versions(home))
    return built, run, published_before


def landed_versions(home: Path) -> list[tuple[str, str, str]]:
    """(report_id, file_name, sha256) of every version in the home's landing index, in order."""
    index = home / "landing" / "index.sqlite"
    with sqlite3.connect(f"file:{index}?mode=ro", uri=True) as con:
        return con.execute(
            "select report_id, file_name, sha256 from versions order by version"
        ).fetchall()


def match_versions(built: Built, before: set[str], after: list[tuple[str, str, str]]) -> None:
    """Find the report version each case's file landed as (none when the pull refused it).

    A file lands under its own bytes' SHA-256; a bundle folder is zipped on landing, so its
    versions are matched by name, in batch order."""
    new = [row for row in after if row[0] not in before]
    by_sha = {sha: report_id for report_id, _, sha in new}
    file_shas = {sha256_of(path) for path in built.files.values() if path.is_file()}
    bundles: dict[str, list[str]] = {}
    for report_id, name, sha in new:
        if sha not in file_shas:
            bundles.setdefault(name, []).append(report_id)
    for batch in built.batches:
        for case in batch:
            path = built.files[case]
            if path.is_file():
                if (report_id := by_sha.get(sha256_of(path))) is not None:
                    built.report_ids[case] = report_id
            elif bundles.get(f"{path.name}.zip"):
                built.report_ids[case] = bundles[f"{path.name}.zip"].pop(0)


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.integration
def test_one_load_of_the_whole_corpus_publishes(corpus_load) -> None:
    _, run, _ = corpus_load
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    assert "Traceback" not in output, output
    # The summary counts the versions this load read, not only units and periods.
    squeeze = " ".join(run.stdout.split())
    quarantined = [int(n) for n in re.findall(r"(\d+) quarantined \(findings", squeeze)]
    assert quarantined and min(quarantined) > 0, run.stdout


@pytest.mark.integration
@pytest.mark.parametrize("case", [c for c in CASES if c.loads], ids=lambda case: case.name)
def test_each_case_is_quarantined_or_read_as_declared(case: HostileCase, corpus_load) -> None:
    built, run, published_before = corpus_load
    file_name = built.files[case.name].name
    report_id = built.report_ids.get(case.name)
    if report_id is None:  # refused before landing: the pull's finding names the file
        sql = "select rule_code from marts.dq_issues where file_name = ? and report_id is null"
        rules = {row[0] for row in run.query(sql, [file_name])}
    else:
        sql = "select rule_code from marts.dq_issues where report_id = ?"
        rules = {row[0] for row in run.query(sql, [report_id])}
    assert set(case.rules) <= rules, (file_name, report_id, rules)
    stem = file_name.removesuffix(".xlsx").removesuffix(".zip")
    unit, _, period = stem.rpartition("_")
    published = run.query(
        "select report_id, file_name from marts.mart_reporting_completeness "
        "where unit_code = ? and period_code = ?",
        [unit, period],
    )
    if case.accepted:
        assert published and published[0][0] == report_id, (report_id, published)
    elif (unit, period) in published_before:
        assert published and published[0][0] == published_before[(unit, period)], published


UNSAFE_TEXT = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
FORMULA_START = ("=", "+", "@")


@pytest.mark.integration
def test_no_published_text_carries_control_characters_or_formulas(corpus_load) -> None:
    """Whatever the corpus sent, no text in the published marts can trouble a reader or an
    export: no control or bidirectional characters, nothing a spreadsheet would evaluate."""
    _, run, _ = corpus_load
    columns = run.query(
        "select table_name, column_name from information_schema.columns "
        "where table_schema = 'marts' and data_type = 'VARCHAR'"
    )
    bad = []
    for table, column in columns:
        for (value,) in run.query(f'select distinct "{column}" from marts."{table}"'):
            if value is None:
                continue
            if UNSAFE_TEXT.search(value) or value.startswith(FORMULA_START):
                bad.append((table, column, value[:80]))
    assert not bad, bad[:20]


@pytest.mark.integration
@pytest.mark.parametrize(
    "case", [c for c in CASES if c.loads and c.expected_exit == 2], ids=lambda case: case.name
)
def test_each_name_the_pull_refuses_is_in_the_load_summary(case: HostileCase, corpus_load) -> None:
    """A file refused for its name is never landed: the load's summary still names it."""
    built, run, _ = corpus_load
    squeeze = str.maketrans("", "", " \n│")  # the summary's table wraps long cells
    assert built.files[case.name].name.translate(squeeze) in run.stdout.translate(squeeze)
