"""A small cache of what each source looked like when it was last pulled.

It only saves work (no re-download, no re-hash); the landing manifest stays the truth about what
was landed, so a lost or stale cache can cost time but never a wrong or missing report.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from dagster_project.ingest.landing import Landing, write_atomically

log = logging.getLogger(__name__)


class PullState:
    """`landing/pull_state.json`: source URI -> {etag, last_modified, size, signature, sha256}."""

    def __init__(self, landing: Landing) -> None:
        self.landing = landing
        self.path = landing.root / "pull_state.json"
        self._records = self._read()
        self._changed: dict[str, dict[str, Any]] = {}

    def _read(self) -> dict[str, dict[str, Any]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            log.warning("pull state %s unreadable (%s); starting afresh", self.path, exc)
            return {}
        return data.get("sources", {}) if isinstance(data, dict) else {}

    def get(self, uri: str) -> dict[str, Any]:
        return dict(self._changed.get(uri) or self._records.get(uri) or {})

    def set(self, uri: str, record: dict[str, Any]) -> None:
        self._changed[uri] = {k: v for k, v in record.items() if v is not None}

    def save(self) -> None:
        """Merge this run's records into the file under the lock: other pulls may save too."""
        if not self._changed:
            return
        with self.landing.lock():
            current = self._read()
            current.update(self._changed)
            payload = json.dumps(
                {"sources": dict(sorted(current.items()))}, ensure_ascii=False, indent=1
            ).encode("utf-8")
            write_atomically(self.path, lambda handle: handle.write(payload))
        self._records = current
        self._changed = {}
