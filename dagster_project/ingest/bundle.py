"""CSV bundles that arrive as a folder are landed as one deterministic zip.

The landing area is keyed by content hash, so the same folder must always give the same bytes:
entries are sorted, timestamps and permissions fixed, and compression settings pinned.

Nothing outside a bundle folder is ever read: a symbolic link inside it (to a file or a folder,
wherever it points) refuses the whole bundle. The pull (landing a folder) and the parser
(`tcd validate` on a folder) list a bundle's members through `bundle_members` alone.
"""

from __future__ import annotations

import os
import stat
import zipfile
from pathlib import Path

_FIXED_TIME = (1980, 1, 1, 0, 0, 0)


class UnsafeMember(OSError):
    """A bundle folder entry that is not a plain file or folder inside it (a symbolic link, a
    device, a pipe): reading it could read outside the folder, so the bundle is refused."""

    def __init__(self, relative: str) -> None:
        super().__init__(relative)
        self.relative = relative


def is_ignorable(name: str) -> bool:
    """Hidden files and Office lock files are never part of a report."""
    return name.startswith(".") or name.startswith("~$") or name in ("Thumbs.db", "desktop.ini")


def bundle_members(folder: Path) -> list[tuple[str, Path]]:
    """(name inside the zip, file) for every regular file of a bundle folder, sorted by name.

    Raises UnsafeMember for the folder itself or any entry in it that is a symbolic link or
    not a regular file or folder; links are never followed. Ignorable entries are skipped
    unread.
    """
    folder = Path(folder)
    if folder.is_symlink():
        raise UnsafeMember(folder.name)
    members = []
    for root, dirs, files in os.walk(folder, followlinks=False):
        base = Path(root)
        dirs[:] = [name for name in dirs if not is_ignorable(name)]
        for name in [*dirs, *files]:
            if is_ignorable(name):
                continue
            path = base / name
            mode = path.lstat().st_mode
            relative = path.relative_to(folder).as_posix()
            if stat.S_ISREG(mode):
                members.append((relative, path))
            elif not stat.S_ISDIR(mode):
                raise UnsafeMember(relative)
    return sorted(members)


def read_member(path: Path) -> bytes:
    """A member's bytes, never through a link put in its place since it was listed."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError as exc:
        if path.is_symlink():
            raise UnsafeMember(path.name) from exc
        raise
    with os.fdopen(fd, "rb") as handle:
        return handle.read()


def write_deterministic_zip(folder: Path, target: Path) -> None:
    """Zip a bundle folder so that identical folders give byte-identical archives."""
    members = bundle_members(folder)  # refuses the bundle before a byte is written
    with zipfile.ZipFile(target, "w") as archive:
        for name, path in members:
            info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o100644 << 16
            info.create_system = 3
            data = read_member(path)
            archive.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)
