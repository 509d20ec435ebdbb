"""Text for the officer's console: report text shown literally, failures told in one sentence.

Rich interprets ``[...]`` in printed strings as markup; a file name, a label or a value from a
report may contain brackets (``[/]`` even crashes the output), so every piece of text that did
not come from this code goes through :func:`plain` before it is printed. Failures that reach the
console are sentences: never an exception's class name or a traceback.
"""

from __future__ import annotations

import errno
import re
from collections.abc import Iterable

from rich.markup import escape

DISK_ERRNOS = {errno.ENOSPC: "ENOSPC", errno.EFBIG: "EFBIG", errno.EDQUOT: "EDQUOT"}
DISK_PHRASES = (
    "No space left on device",
    "File too large",
    "Disk quota exceeded",
    "database or disk is full",  # SQLite (Dagster's run storage, the landing index)
)
_ERRNO_PATH = re.compile(r"\[Errno (\d+)\][^'\"\n]*['\"]([^'\"\n]+)['\"]")
_QUOTED_PATH = re.compile(r"['\"](/[^'\"\n]+)['\"]")
_CLASS_PREFIX = re.compile(
    r"^\s*\(?(?:[A-Za-z_][\w.]*\.)?[A-Z]\w*(?:Error|Exception|Exit|Interrupt)\b\)?:?\s*"
)


def plain(value: object) -> str:
    """``value`` as text that rich prints literally (no markup, whatever brackets it holds)."""
    return escape(str(value))


def without_class_name(message: str) -> str:
    """The first meaningful line of an error message, without a leading exception class name."""
    for line in message.splitlines():
        line = _CLASS_PREFIX.sub("", line, count=1).strip()
        if line and not line.startswith(("Traceback", 'File "')):
            return line
    return ""


def disk_full_path(texts: Iterable[str]) -> str | None:
    """The path named by a "disk full" / "file too large" error among ``texts`` ("" if unnamed);
    None when none of them is such an error."""
    found = None
    for text in texts:
        for match in _ERRNO_PATH.finditer(text):
            if int(match.group(1)) in DISK_ERRNOS:
                return match.group(2)
        for line in text.splitlines():
            if any(phrase in line for phrase in DISK_PHRASES):
                path = _QUOTED_PATH.search(line)  # the file named beside the refusal
                if path:
                    return path.group(1)
                found = ""
    return found


def disk_error(exc: BaseException) -> OSError | None:
    """The disk-full (or file-size-limit) OSError behind ``exc``, if any: libraries wrap it
    (xlsxwriter's FileCreateError holds it as its argument, others chain it)."""
    stack, seen = [exc], set()
    while stack:
        item = stack.pop()
        if not isinstance(item, BaseException) or id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, OSError) and item.errno in DISK_ERRNOS:
            return item
        stack.extend([item.__cause__, item.__context__, *item.args[:1]])
    return None


def disk_full_sentence(path: str, doing: str, *, published_kept: bool = True) -> str:
    """One sentence for a write the disk refused; ``published_kept`` for the pipeline's steps,
    which never touch the published file before their write is complete."""
    where = path or "the home folder"
    kept_vi = "; dữ liệu đã công bố vẫn giữ nguyên" if published_kept else ""
    kept_en = "; the published data is unchanged" if published_kept else ""
    return (
        f"Không đủ chỗ để ghi {where} ({doing}): đĩa đầy hoặc tệp vượt giới hạn kích thước"
        f"{kept_vi}. / No room to write {where} ({doing}): the disk is full or the file reached "
        f"its size limit{kept_en}."
    )


def error_texts(error) -> list[str]:
    """Messages of a Dagster SerializableErrorInfo and of the errors it was caused by."""
    texts, seen = [], set()
    stack = [error]
    while stack:
        item = stack.pop()
        if item is None or id(item) in seen:
            continue
        seen.add(id(item))
        texts.append(item.message or "")
        stack.extend([getattr(item, "cause", None), getattr(item, "context", None)])
    return texts


def failure_sentence(step: str, texts: list[str]) -> str:
    """One sentence for a failed step, from the error messages it raised."""
    path = disk_full_path(texts)
    if path is not None:
        return disk_full_sentence(path, f"step {step}")
    reason = next((line for line in map(without_class_name, texts) if line), "")
    return f"Bước {step} không thành công / Step {step} failed: {reason or 'see the run log'}"
