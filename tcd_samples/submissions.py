"""When each demo report was sent: most before the deadline, a few late.

Git keeps no modification times, so the sample states its submission dates the way a unit's portal
does: an `index.json` in each unit folder (`{"files": [{"name", "received_at"}]}`, read by the pull
for `file://` locations and over HTTP alike). The generated files also carry the date as their
modification time. The deadline is the warehouse's own default (settings), never restated here.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
from pathlib import Path

from dagster_project.ingest.periods import period_bounds
from dagster_project.settings import DEFAULT_REPORT_DEADLINE_DAYS

LISTING = "index.json"
VIETNAM = dt.timezone(dt.timedelta(hours=7))
LATE_SHARE = 0.1  # about one report in ten arrives after the deadline


def sent_at(stem: str, seed: int, deadline_days: int = DEFAULT_REPORT_DEADLINE_DAYS) -> dt.datetime:
    """When the unit sent report `<unit>_<period>`: office hours, Vietnam time.

    On time: from three days before the period ends to the deadline, most in its second half.
    Late: one to twenty days after the deadline.
    """
    rng = random.Random(f"{seed}:sent:{stem}")
    period_end = period_bounds(stem.rsplit("_", 1)[1])[1]
    if rng.random() < LATE_SHARE:
        offset = deadline_days + rng.randint(1, 20)
    else:
        offset = min(deadline_days, round(rng.triangular(-3, deadline_days, deadline_days - 3)))
    day = period_end + dt.timedelta(days=offset)
    minute = rng.randint(7 * 60 + 30, 17 * 60)
    return dt.datetime.combine(day, dt.time(minute // 60, minute % 60), VIETNAM)


def write_listings(files: list[Path], seed: int) -> list[Path]:
    """An `index.json` per unit folder dating each report; file times set to match."""
    by_folder: dict[Path, list[Path]] = {}
    for path in files:
        by_folder.setdefault(path.parent, []).append(path)
    written = []
    for folder, paths in sorted(by_folder.items()):
        records = []
        for path in sorted(paths):
            stem = path.name.rsplit(".", 1)[0] if path.is_file() else path.name
            moment = sent_at(stem, seed)
            records.append({"name": path.name, "received_at": moment.isoformat()})
            stamp = moment.timestamp()
            for member in [path, *sorted(path.iterdir())] if path.is_dir() else [path]:
                os.utime(member, (stamp, stamp))
        listing = folder / LISTING
        text = json.dumps({"files": records}, ensure_ascii=False, indent=1) + "\n"
        listing.write_text(text, encoding="utf-8")
        written.append(listing)
    return written
