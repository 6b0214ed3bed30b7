"""Where images are computed: this process, a pool of processes, or a dask cluster.

All three call :func:`bmzcard.evaluate.pipeline.evaluate_row` on each manifest
row and return results in manifest order, whatever order they finish in.
Workers load the model once and keep it for the rows they get. With dask,
every worker must see the manifest's files under the same paths (a shared
file system), as on one machine.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from bmzcard.errors import BmzcardError
from bmzcard.evaluate.manifest import Row
from bmzcard.evaluate.pipeline import (
    ImageResult,
    Job,
    evaluate_row,
    init_worker,
    run_in_worker,
    worker_job,
)

Progress = Callable[[int, int], None]


def run_rows(rows: Sequence[Row], job: Job, runner, *, workers: int = 1, scheduler: str | None = None,
             progress: Progress | None = None) -> list[ImageResult]:
    """Evaluate every row; the first failing row stops the run with its error.

    Parameters
    ----------
    rows : sequence of Row
    job : Job
    runner : ModelRunner or None
        The model loaded in this process (used when ``workers`` is 1).
    workers : int
        Processes (or local dask workers).
    scheduler : str, optional
        ``"local"`` for a local dask cluster of ``workers`` processes, or a
        dask scheduler address (``tcp://host:8786``) of an existing cluster.
    progress : callable, optional
        Called as ``progress(done, total)``.
    """
    if scheduler is not None:
        outcomes = _on_dask(rows, job, workers, scheduler, progress)
    elif workers <= 1 or len(rows) == 1:
        outcomes = {}
        for row in rows:
            outcomes[row.number] = evaluate_row(row, job, runner)
            if progress:
                progress(len(outcomes), len(rows))
    else:
        outcomes = _in_processes(rows, job, workers, progress)
    return [outcomes[row.number] for row in rows]


def _collect(outcomes: dict[int, ImageResult], row: Row, status: str, value, total: int,
             progress: Progress | None) -> None:
    if status == "error":
        raise BmzcardError(str(value))
    outcomes[row.number] = value
    if progress:
        progress(len(outcomes), total)


def _in_processes(rows: Sequence[Row], job: Job, workers: int, progress: Progress | None) -> dict[int, ImageResult]:
    from concurrent.futures import ProcessPoolExecutor, as_completed

    outcomes: dict[int, ImageResult] = {}
    with ProcessPoolExecutor(max_workers=min(workers, len(rows)), initializer=init_worker, initargs=(job,)) as pool:
        futures = {pool.submit(run_in_worker, row): row for row in rows}
        try:
            for future in as_completed(futures):
                _collect(outcomes, futures[future], *future.result(), len(rows), progress)
        except BmzcardError:
            for future in futures:
                future.cancel()
            raise
    return outcomes


def _on_dask(rows: Sequence[Row], job: Job, workers: int, scheduler: str,
             progress: Progress | None) -> dict[int, ImageResult]:
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise BmzcardError("--scheduler needs dask.distributed: pip install 'bmzcard[distributed]'",
                           field="--scheduler") from None
    if scheduler == "local":
        cluster = LocalCluster(n_workers=max(workers, 1), threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=logging.ERROR)
        client = Client(cluster)
    else:
        cluster = None
        try:
            client = Client(scheduler, timeout="10s")
        except OSError as error:
            raise BmzcardError(f"cannot reach the dask scheduler: {error}", field="--scheduler") from None
        except ValueError as error:  # no port, unknown protocol
            raise BmzcardError(f"not a dask scheduler address: {error}", field="--scheduler") from None
    outcomes: dict[int, ImageResult] = {}
    try:
        futures = client.map(worker_job, rows, job=job, pure=False)
        by_key = {future.key: row for future, row in zip(futures, rows)}
        for future in as_completed(futures):
            _collect(outcomes, by_key[future.key], *future.result(), len(rows), progress)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return outcomes
