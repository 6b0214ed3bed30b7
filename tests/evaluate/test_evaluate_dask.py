"""`bmzcard evaluate --scheduler ADDRESS` on a dask cluster of separate processes listening on 127.0.0.1 only."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import psutil
import pytest

from bmzcard.cli.app import app

from .conftest import runner

WORKERS = 2
STARTUP_S = 60  # a cold start imports dask in three processes on a busy 2-core machine
# --no-dashboard still serves /health and /metrics over HTTP, by default on 0.0.0.0
LOOPBACK_HTTP = ("--dashboard-address", "127.0.0.1:0")


def _logs(folder: Path) -> str:
    return "\n".join(f"--- {log.name}\n{log.read_text(errors='replace')[-2000:]}"
                     for log in sorted(folder.glob("*.log")))


def _scheduler_address(scheduler_file: Path, scheduler: subprocess.Popen, folder: Path) -> str:
    deadline = time.monotonic() + STARTUP_S
    while time.monotonic() < deadline:
        if scheduler.poll() is not None:
            pytest.fail(f"the dask scheduler exited with {scheduler.returncode}\n{_logs(folder)}")
        try:
            return json.loads(scheduler_file.read_text())["address"]
        except (OSError, ValueError, KeyError):  # not written yet, or half written
            time.sleep(0.2)
    pytest.fail(f"the dask scheduler wrote no {scheduler_file.name} within {STARTUP_S} s\n{_logs(folder)}")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> str:
    """Address of a scheduler with WORKERS single-threaded workers, each its own OS process."""
    from dask.distributed import Client

    folder = tmp_path_factory.mktemp("dask")
    processes: list[subprocess.Popen] = []

    def start(name: str, *args: str) -> subprocess.Popen:
        with (folder / f"{name}.log").open("wb") as log:  # the child keeps its own descriptor
            process = subprocess.Popen([sys.executable, "-m", *args], cwd=folder, stdout=log,
                                       stderr=subprocess.STDOUT)
        processes.append(process)
        return process

    try:
        # --idle-timeout and --death-timeout: should teardown never run (pytest killed), the processes still end
        scheduler = start("scheduler", "distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", "0",
                          "--no-dashboard", *LOOPBACK_HTTP, "--idle-timeout", "120",
                          "--scheduler-file", str(folder / "scheduler.json"))
        address = _scheduler_address(folder / "scheduler.json", scheduler, folder)
        for index in range(WORKERS):
            start(f"worker{index}", "distributed.cli.dask_worker", address, "--host", "127.0.0.1", "--no-nanny",
                  "--nthreads", "1", "--no-dashboard", *LOOPBACK_HTTP, "--death-timeout", "30",
                  "--local-directory", str(folder))
        with Client(address, timeout="10s") as client:
            try:
                client.wait_for_workers(WORKERS, timeout=STARTUP_S)
            except TimeoutError:
                pytest.fail(f"{WORKERS} dask workers did not register within {STARTUP_S} s\n{_logs(folder)}")
        listening = [c.laddr for p in processes for c in psutil.Process(p.pid).net_connections("inet")
                     if c.status == psutil.CONN_LISTEN]
        assert len(listening) == 2 * len(processes)  # each: its comm port and its HTTP server
        assert {ip for ip, _ in listening} == {"127.0.0.1"}, listening
        yield address
    finally:
        # workers first, each to its end: a worker whose scheduler closes while it says goodbye hangs
        for process in reversed(processes):
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _evaluate(manifest: Path, out: Path, *extra: str):
    return runner.invoke(app, ["evaluate", "--data", str(manifest), "--task", "semantic-segmentation",
                               "--metrics", "dice,iou", "--json", str(out), *extra])


def _manifests_on_workers(address: str) -> set[str | None]:
    """The manifest of the last job each worker ran (None for a worker that ran none)."""
    from dask.distributed import Client

    def last_manifest():  # nested, so cloudpickle sends it by value: the workers cannot import the tests
        from bmzcard.evaluate.pipeline import _worker

        job = _worker.get("job")
        return None if job is None else str(job.manifest)

    with Client(address, timeout="10s") as client:
        return set(client.run(last_manifest).values())


def test_remote_cluster_gives_the_results_of_a_run_in_this_process(cluster, neuron_manifest, tmp_path):
    outputs = {}
    for name, extra in (("here", []), ("cluster", ["--scheduler", cluster])):
        result = _evaluate(neuron_manifest, tmp_path / f"{name}.json", *extra)
        assert result.exit_code == 0, result.output
        outputs[name] = json.loads((tmp_path / f"{name}.json").read_text())
    assert len(outputs["here"]["per_image"]) == 4
    assert outputs["cluster"]["per_image"] == outputs["here"]["per_image"]
    assert outputs["cluster"]["summary"] == outputs["here"]["summary"]
    # the rows ran on the cluster's workers, not in this process
    assert str(neuron_manifest) in _manifests_on_workers(cluster)


def _free_port() -> int:
    with socket.socket() as probe:  # free a moment ago; closed, so nobody listens on it
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        (lambda: f"tcp://127.0.0.1:{_free_port()}", "--scheduler: cannot reach the dask scheduler: "),
        (lambda: "tcp://127.0.0.1", "--scheduler: not a dask scheduler address: missing port number"),
    ],
    ids=["nobody-listens", "no-port"],
)
def test_bad_scheduler_address_exits_2_quickly_naming_the_option_and_writes_nothing(neuron_manifest, tmp_path,
                                                                                    address, expected):
    address = address()
    out = tmp_path / "out.json"
    start = time.monotonic()
    result = _evaluate(neuron_manifest, out, "--scheduler", address)
    elapsed = time.monotonic() - start
    assert result.exit_code == 2, result.output
    message = " ".join(result.output.split())
    assert expected in message and address.removeprefix("tcp://") in message
    assert elapsed < 20  # at most the client's 10 s connect timeout, not dask's default 30 s
    assert not out.exists() and not (tmp_path / "out_per_image.csv").exists()


def test_bad_row_on_the_cluster_exits_2_naming_the_row_as_worker_processes_do(cluster, neuron_manifest, tmp_path):
    # a NaN: read only when the row is computed (the up-front check reads headers, shapes included)
    prediction = np.load(tmp_path / "pred_2.npy").astype(np.float32)
    prediction[0, 0] = np.nan
    np.save(tmp_path / "pred_2.npy", prediction)  # row 3 of the manifest
    messages = {}
    for name, extra in (("processes", ["--workers", "2"]), ("cluster", ["--scheduler", cluster])):
        out = tmp_path / f"{name}.json"
        result = _evaluate(neuron_manifest, out, *extra)
        assert result.exit_code == 2, result.output
        messages[name] = " ".join(result.output.split())
        assert not out.exists() and not (tmp_path / f"{name}_per_image.csv").exists()
    assert "row 3: " in messages["cluster"] and "pred_2.npy" in messages["cluster"]
    assert "1 NaN or infinite values" in messages["cluster"] and str(neuron_manifest) in messages["cluster"]
    assert messages["cluster"] == messages["processes"]
    assert str(neuron_manifest) in _manifests_on_workers(cluster)
