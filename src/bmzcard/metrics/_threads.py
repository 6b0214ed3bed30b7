"""The one thread pool of the metric kernels.

numpy releases the GIL inside ufuncs and ``count_nonzero``, and scipy inside
its filters, so one large image split into contiguous parts is computed on
several cores at once. Worker processes of ``bmzcard evaluate --workers``
already keep the cores busy with one image each; they call
``limit_threads(1)`` so that the two kinds of parallelism do not multiply.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

__all__ = ["limit_threads", "map_parts", "split", "thread_count"]

T = TypeVar("T")
R = TypeVar("R")

# beyond this, memory bandwidth (not cores) bounds every kernel here
_MAX_THREADS = 8
_limit: int | None = None
_pool: ThreadPoolExecutor | None = None


def thread_count() -> int:
    """Threads a kernel may use: the CPUs this process may run on, capped."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, _MAX_THREADS, _limit or _MAX_THREADS))


def limit_threads(n: int | None) -> None:
    """Use at most ``n`` threads per kernel from now on (None: no limit)."""
    global _limit, _pool
    _limit = n
    if _pool is not None:
        _pool.shutdown(wait=True)
        _pool = None


def map_parts(fn: Callable[[T], R], parts: Iterable[T]) -> list[R]:
    """``[fn(p) for p in parts]``, on the shared pool when it can help.

    Must not be called from inside ``fn`` (the pool would wait on itself).
    """
    parts = list(parts)
    if len(parts) < 2 or thread_count() < 2:
        return [fn(p) for p in parts]
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=thread_count(), thread_name_prefix="bmzcard-metrics")
    return list(_pool.map(fn, parts))


def split(n: int, parts: int, *, align: int = 1) -> Sequence[tuple[int, int]]:
    """``parts`` contiguous ranges ``(lo, hi)`` covering ``range(n)``, with
    every inner bound a multiple of ``align``; empty ranges are left out."""
    step = -(-n // max(parts, 1))
    step = -(-step // align) * align
    return [(lo, min(lo + step, n)) for lo in range(0, n, max(step, 1))]
