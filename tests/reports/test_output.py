"""Report file names and the pseudonymisation key."""

from __future__ import annotations

import pytest

from dagster_project.reports import MissingPseudonymKey, parse_file_name, pseudonym_key_from_env


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("088_2024-H1.xlsx", ("088", "2024-H1")),
        ("NB_CQDN_2023-H2.zip", ("NB_CQDN", "2023-H2")),
        ("BQLKKT_2024-H1", ("BQLKKT", "2024-H1")),
    ],
)
def test_file_names_give_unit_and_period(name, expected):
    assert parse_file_name(name) == expected


@pytest.mark.parametrize(
    "name", ["088-2024-H1.xlsx", "088_2024-H3.xlsx", "088_2024.xlsx", "088_2024-H1.xls"]
)
def test_bad_file_names_raise_a_bilingual_error(name):
    with pytest.raises(ValueError, match=r"không đúng mẫu.*does not follow"):
        parse_file_name(name)


def test_missing_pseudonym_key_raises_unless_demo_allowed(monkeypatch):
    monkeypatch.delenv("TCD_PSEUDONYM_KEY", raising=False)
    with pytest.raises(MissingPseudonymKey, match="TCD_PSEUDONYM_KEY"):
        pseudonym_key_from_env(allow_demo=False)
    assert pseudonym_key_from_env(allow_demo=True) == b"tcd-demo-key-not-secret"


def test_pseudonym_key_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("TCD_PSEUDONYM_KEY", "s3cret")
    assert pseudonym_key_from_env(allow_demo=True) == b"s3cret"
