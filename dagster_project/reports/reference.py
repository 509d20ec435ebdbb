"""Reference data the parser matches against: the dbt seeds and the column-header variants.

The indicator catalogue and coded values are read from ``dbt/seeds`` so that the parser and dbt
share one source of truth; a collision (two codes reachable from one spelling) is a bug in the
data and fails loudly on load.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from dagster_project.reports.text import compact_key, header_key, label_key, word_key

SEEDS_DIR = Path(__file__).resolve().parents[2] / "dbt" / "seeds"
HEADERS_FILE = Path(__file__).with_name("column_headers.yaml")
SHEETS = ("tong_hop", "ket_nap", "to_chuc")


def seeds_dir() -> Path:
    """Folder of the dbt seeds; ``TCD_SEEDS_DIR`` overrides it for an installed package."""
    return Path(os.environ.get("TCD_SEEDS_DIR", SEEDS_DIR))


def _read_csv(name: str) -> list[dict[str, str]]:
    with (seeds_dir() / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _variants(row: dict[str, str], column: str) -> list[str]:
    return [part for part in (row.get(column) or "").split("|") if part.strip()]


def _add(index: dict[str, str], key: str, code: str, source: str) -> None:
    if not key:
        return
    if index.get(key, code) != code:
        raise ValueError(f"{source}: '{key}' maps to both {index[key]} and {code}")
    index[key] = code


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str
    kind: str
    parent_code: str | None


@dataclass(frozen=True)
class IndicatorCatalogue:
    indicators: dict[str, Indicator]
    by_key: dict[str, str]

    def match(self, label: str) -> str | None:
        """Indicator code for a label as written in a report, or None when it is unknown."""
        return self.by_key.get(label_key(label))


@lru_cache(maxsize=1)
def indicator_catalogue() -> IndicatorCatalogue:
    indicators: dict[str, Indicator] = {}
    by_key: dict[str, str] = {}
    for row in _read_csv("indicator_catalogue.csv"):
        code = row["indicator_code"]
        indicators[code] = Indicator(code, row["label"], row["kind"], row["parent_code"] or None)
        for text in [row["label"], *_variants(row, "aliases")]:
            _add(by_key, label_key(text), code, "indicator_catalogue.csv")
    return IndicatorCatalogue(indicators, by_key)


@dataclass(frozen=True)
class CodedDomain:
    name: str
    labels: dict[str, str]
    by_key: dict[str, str]

    def match(self, value: str) -> str | None:
        """Code of a coded value as written ("Công ty TNHH" → "tu_nhan"), or None."""
        return self.by_key.get(word_key(value))

    def expected(self) -> str:
        return " / ".join(self.labels.values())


@lru_cache(maxsize=1)
def coded_values() -> dict[str, CodedDomain]:
    domains: dict[str, CodedDomain] = {}
    for row in _read_csv("coded_values.csv"):
        domain = domains.setdefault(row["domain"], CodedDomain(row["domain"], {}, {}))
        domain.labels[row["code"]] = row["label"]
        for text in [row["label"], *_variants(row, "variants")]:
            _add(domain.by_key, word_key(text), row["code"], f"coded_values.csv {row['domain']}")
    return domains


@lru_cache(maxsize=1)
def private_sector_codes() -> frozenset[str]:
    return frozenset(
        row["code"]
        for row in _read_csv("coded_values.csv")
        if row["domain"] == "loai_hinh" and row["is_private_sector"].strip().lower() == "true"
    )


@dataclass(frozen=True)
class EthnicGroups:
    labels: dict[str, str]
    by_key: dict[str, str]

    def match(self, value: str) -> str | None:
        """Canonical label of an ethnic group as written ("H'Mông", "Hmông" → "Mông"), or None."""
        code = self.by_key.get(compact_key(value))
        return self.labels[code] if code else None


@lru_cache(maxsize=1)
def ethnic_groups() -> EthnicGroups:
    labels: dict[str, str] = {}
    by_key: dict[str, str] = {}
    for row in _read_csv("ethnic_groups.csv"):
        labels[row["ethnic_code"]] = row["label"]
        for text in [row["label"], *_variants(row, "variants")]:
            _add(by_key, compact_key(text), row["ethnic_code"], "ethnic_groups.csv")
    return EthnicGroups(labels, by_key)


@lru_cache(maxsize=1)
def dq_rules() -> dict[str, dict[str, str]]:
    return {row["rule_code"]: row for row in _read_csv("dq_rules.csv")}


def rule_parameters(rule_code: str) -> dict[str, str]:
    """A rule's parameters (`dq_rules.csv` column `parameters`, `name=value;...`)."""
    text = dq_rules()[rule_code].get("parameters") or ""
    pairs = (item.partition("=") for item in text.split(";") if item.strip())
    return {name.strip(): value.strip() for name, _, value in pairs}


def rule_parameter(rule_code: str, name: str) -> str:
    """One parameter of a rule, e.g. the minimum age of DQ_AGE_UNDER_18; KeyError if absent."""
    parameters = rule_parameters(rule_code)
    if name not in parameters:
        raise KeyError(f"dq_rules.csv: rule {rule_code} has no parameter {name!r}")
    return parameters[name]


@dataclass(frozen=True)
class SheetHeaders:
    """Header variants of one sheet: header key → field name."""

    sheet: str
    by_key: dict[str, str]
    display: dict[str, str]

    def match(self, header: str) -> str | None:
        return self.by_key.get(header_key(header))


@lru_cache(maxsize=1)
def sheet_headers() -> dict[str, SheetHeaders]:
    raw = yaml.safe_load(HEADERS_FILE.read_text(encoding="utf-8"))
    result: dict[str, SheetHeaders] = {}
    for sheet in SHEETS:
        by_key: dict[str, str] = {}
        for field, variants in raw[sheet].items():
            for text in variants:
                _add(by_key, header_key(str(text)), field, f"column_headers.yaml {sheet}")
        display = {field: str(variants[0]) for field, variants in raw[sheet].items()}
        result[sheet] = SheetHeaders(sheet, by_key, display)
    return result
