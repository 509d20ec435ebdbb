"""The hostile corpus: report files that must be refused clearly, or read safely, never crash.

Each kind is one `HostileCase`, declared in a `cases_*.py` module beside this one (a module per
family of faults) and listed there as ``CASES``. `test_corpus.py` runs every case twice:
- fast tier: the file through `tcd validate --json`, in a separate process as an officer runs it:
  the exit code, the rule codes, no traceback;
- integration tier: every case's file in one inbox, loaded into a copy of the demo home in one
  `tcd load`: the load publishes, each case's version is quarantined (or accepted) with its rule
  codes in `marts.dq_issues`, and what was published before for the unit and period stays
  published unless the case is accepted.

A case builds its file from a legal bundled report (``source``, an .xlsx of the sample) so the
title, unit and period are right and only the hostile part is wrong. The file it writes keeps the
source's name (unit and period) unless the case is about the name itself; the corpus gives every
case a different source, so the files of one inbox never collide.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class HostileCase:
    name: str
    """Short identifier, shown as the pytest id: ``formula_without_cached_value``."""
    build: Callable[[Path, Path], Path]
    """(source sample .xlsx, empty folder) -> the hostile report file or bundle folder written."""
    rules: tuple[str, ...]
    """Rule codes that must be among the report's findings (validate and dq_issues)."""
    accepted: bool = False
    """True when the report is read (values neutralised, a warning); False: quarantined."""
    validate_exit: int | None = None
    """`tcd validate`'s exit code; by default 0 for an accepted case, 1 for a refused one."""
    loads: bool = True
    """False for a case the load cannot take from an inbox (a name the pull refuses is reported
    by the pull, not the parser); it then runs in the fast tier only."""

    @property
    def expected_exit(self) -> int:
        if self.validate_exit is not None:
            return self.validate_exit
        return 0 if self.accepted else 1


def all_cases() -> list[HostileCase]:
    """Every case of every ``cases_*`` module, in module then declaration order."""
    cases: list[HostileCase] = []
    for module in sorted(pkgutil.iter_modules([str(HERE)]), key=lambda m: m.name):
        if module.name.startswith("cases_"):
            cases.extend(importlib.import_module(f"tests.hostile.{module.name}").CASES)
    names = [case.name for case in cases]
    duplicates = {name for name in names if names.count(name) > 1}
    assert not duplicates, f"hostile cases named twice: {sorted(duplicates)}"
    return cases
