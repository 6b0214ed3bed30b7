"""The shared thread pool of the metric kernels."""

from __future__ import annotations

import threading

import pytest

from bmzcard.metrics import _threads, limit_threads


@pytest.mark.parametrize(("n", "parts", "align"), [(0, 2, 1), (1, 4, 1), (10, 3, 1), (10, 3, 4), (1000, 8, 7)])
def test_split_covers_the_range_once_with_aligned_bounds(n, parts, align):
    ranges = _threads.split(n, parts, align=align)
    covered = [i for lo, hi in ranges for i in range(lo, hi)]
    assert covered == list(range(n))
    assert len(ranges) <= parts
    assert all(lo % align == 0 for lo, _ in ranges)


def test_limit_threads_makes_kernels_serial():
    try:
        limit_threads(1)
        assert _threads.thread_count() == 1
        names = _threads.map_parts(lambda _: threading.current_thread().name, range(4))
        assert names == [threading.current_thread().name] * 4
    finally:
        limit_threads(None)
    assert _threads.thread_count() >= 1


def test_map_parts_keeps_the_order_of_its_parts():
    assert _threads.map_parts(lambda x: x * x, range(50)) == [x * x for x in range(50)]
