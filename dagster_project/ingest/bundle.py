"""CSV bundles that arrive as a folder are landed as one deterministic zip.

The landing area is keyed by content hash, so the same folder must always give the same bytes:
entries are sorted, timestamps and permissions fixed, and compression settings pinned.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

_FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def is_ignorable(name: str) -> bool:
    """Hidden files and Office lock files are never part of a report."""
    return name.startswith(".") or name.startswith("~$") or name in ("Thumbs.db", "desktop.ini")


def bundle_members(folder: Path) -> list[tuple[str, Path]]:
    """(name inside the zip, file) for every regular file of a bundle folder, sorted by name."""
    members = []
    for path in folder.rglob("*"):
        relative = path.relative_to(folder)
        if path.is_file() and not any(is_ignorable(part) for part in relative.parts):
            members.append((relative.as_posix(), path))
    return sorted(members)


def write_deterministic_zip(folder: Path, target: Path) -> None:
    """Zip a bundle folder so that identical folders give byte-identical archives."""
    with zipfile.ZipFile(target, "w") as archive:
        for name, path in bundle_members(folder):
            info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o100644 << 16
            info.create_system = 3
            archive.writestr(
                info, path.read_bytes(), compress_type=zipfile.ZIP_DEFLATED, compresslevel=6
            )
