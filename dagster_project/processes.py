"""Work spread over processes: the parse of report batches and the drawing of charts."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity, which a container or a service
    manager may narrow), not all the machine has."""
    return len(os.sched_getaffinity(0)) or 1


def starmap(
    function: Callable[..., Any], tasks: Sequence[tuple], workers: int | None = None
) -> list:
    """``function(*task)`` for every task, in order: across at most ``workers`` forked
    processes (default: one per usable core), or in this process when one is enough."""
    workers = min(len(tasks), workers or usable_cores())
    if workers <= 1:
        return [function(*task) for task in tasks]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(function, *zip(*tasks, strict=True)))
