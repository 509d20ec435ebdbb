"""The pseudonymisation key: from the environment, the demo key only when allowed."""

from __future__ import annotations

import pytest

from dagster_project.reports import MissingPseudonymKey, pseudonym_key_from_env


def test_missing_pseudonym_key_raises_unless_demo_allowed(monkeypatch):
    monkeypatch.delenv("TCD_PSEUDONYM_KEY", raising=False)
    with pytest.raises(MissingPseudonymKey, match="TCD_PSEUDONYM_KEY"):
        pseudonym_key_from_env(allow_demo=False)
    assert pseudonym_key_from_env(allow_demo=True) == b"tcd-demo-key-not-secret"


def test_pseudonym_key_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("TCD_PSEUDONYM_KEY", "s3cret")
    assert pseudonym_key_from_env(allow_demo=True) == b"s3cret"
