"""The key that turns a CCCD into a stable pseudonym (HMAC-SHA256)."""

from __future__ import annotations

import os

ENV_VAR = "TCD_PSEUDONYM_KEY"
# Public on purpose: it lets the sample data and tests run, and must never key real reports.
DEMO_KEY = b"tcd-demo-key-not-secret"


class MissingPseudonymKey(RuntimeError):
    """Raised when real reports would be pseudonymised without a secret key."""


def pseudonym_key_from_env(allow_demo: bool) -> bytes:
    """Key bytes from ``TCD_PSEUDONYM_KEY``; the public demo key only when ``allow_demo``.

    Member keys are only comparable across reports keyed alike, so the key must be set once per
    installation and kept secret; a silent fallback would mix pseudonyms from two keys.
    """
    value = os.environ.get(ENV_VAR, "")
    if value:
        return value.encode("utf-8")
    if allow_demo:
        return DEMO_KEY
    raise MissingPseudonymKey(
        f"Chưa đặt biến môi trường {ENV_VAR} (khóa bí mật để mã hóa số CCCD). / "
        f"{ENV_VAR} is not set: set it to a long random secret (e.g. `openssl rand -hex 32`) "
        "to pseudonymise CCCD numbers."
    )
