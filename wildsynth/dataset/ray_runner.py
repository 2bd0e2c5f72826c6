"""The Ray runner, and a bounded check that a Ray cluster answers (``connect_ray``).

``ray.init(address=...)`` on an address where no Ray runs retries for ever,
printing "Failed to connect to GCS", and no Python signal handler interrupts it
(the wait is in Ray's C++ client). So before the driver connects, and before
anything is written, ``check_ray_address`` proves there is a cluster:

1. ``HOST:PORT`` and ``ray://HOST:PORT``: a TCP connect to that port, at most
   ``TCP_TIMEOUT_S`` seconds (nothing listening fails at once);
2. then ``ray.init`` in a child process, killed after ``timeout`` seconds (a
   port that listens but is not a Ray cluster, ``auto`` with a stale address).

Both fail with a one-line ``UserError`` naming the address.
"""

from __future__ import annotations

import contextlib
import math
import os
import signal
import socket
import subprocess
import sys
import time
from typing import Callable, Iterable, Optional

from ..params import UserError
from .stop import Stop
from .worker import JobFn, JobTask, make_record, now, one_line, run_job

OnResult = Callable[[dict], None]

TCP_TIMEOUT_S = 5.0
CANCEL_WAIT_S = 10.0  # how long a stop waits for Ray to kill the cancelled tasks' workers
_PROBE = ("import sys, ray\n"
          "ray.init(address=sys.argv[1], include_dashboard=False, log_to_driver=False, logging_level='ERROR')\n"
          "ray.shutdown()\n")


def _host_port(address: str) -> Optional[tuple[str, int]]:
    """``(host, port)`` of ``HOST:PORT`` or ``ray://HOST:PORT``; None for ``auto``; UserError otherwise."""
    if address == "auto":
        return None
    rest = address.removeprefix("ray://")
    host, sep, port = rest.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise UserError(f"--ray {address!r}: expected local, auto, HOST:PORT or ray://HOST:PORT")
    return host, int(port)


def _last_error_line(text: str) -> str:
    """The last ``SomeError: message`` line of a child's stderr (or its last line)."""
    lines = [x.strip() for x in text.splitlines() if x.strip()]
    for line in reversed(lines):
        head = line.split(":", 1)[0]
        if head.endswith(("Error", "Exception")) and " " not in head:
            return line
    return lines[-1] if lines else "no output"


def check_ray_address(address: str, timeout: float = 60.0) -> None:
    """Raise a one-line ``UserError`` unless a Ray cluster answers at ``address`` within ``timeout`` s."""
    hp = _host_port(address)
    if hp is not None:
        try:
            socket.create_connection(hp, timeout=min(TCP_TIMEOUT_S, timeout)).close()
        except OSError as e:
            why = e.strerror or type(e).__name__
            raise UserError(f"--ray {address}: nothing answers at {hp[0]}:{hp[1]} ({why}); "
                            "start the cluster (`ray start --head`) or give its address") from None
    child = subprocess.Popen([sys.executable, "-c", _PROBE, address], stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        _, err = child.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(OSError):
            os.killpg(child.pid, signal.SIGKILL)
        child.communicate()
        raise UserError(f"--ray {address}: no Ray cluster answered within {timeout:g} s "
                        "(is it a Ray address, of the same Ray version?)") from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.killpg(child.pid, signal.SIGKILL)
        child.wait()
        raise
    if child.returncode != 0:
        raise UserError(f"--ray {address}: could not connect: {_last_error_line(err.decode(errors='replace'))}")


def connect_ray(address: Optional[str], num_cpus: Optional[int] = None, timeout: float = 60.0) -> bool:
    """Connect this process to Ray; True when it was started here (the caller shuts it down).

    ``address`` ``None`` starts a local Ray with ``num_cpus``; any other address is
    checked first (``check_ray_address``). A Ray already initialised is used as it is.
    """
    import ray

    if ray.is_initialized():
        return False
    if address is not None:
        check_ray_address(address, timeout)
    kw = {"num_cpus": num_cpus} if address is None and num_cpus else {}
    try:
        ray.init(address=address, include_dashboard=False, log_to_driver=False, **kw)
    except (ConnectionError, RuntimeError, ValueError, TimeoutError) as e:
        raise UserError(f"--ray {address or 'local'}: {one_line(e)}") from None
    except BaseException:  # Ctrl-C, or SIGTERM (Ray's own handler exits) while a local Ray starts
        with contextlib.suppress(Exception):
            ray.shutdown()
        raise
    return True


def _in_flight(cpus_per_job: float, gpus_per_job: float) -> int:
    """How many tasks to keep submitted: what the cluster can run at once, plus one each."""
    import ray

    res = ray.cluster_resources()
    slots = res.get("CPU", 1.0) / cpus_per_job
    if gpus_per_job > 0:
        slots = min(slots, res.get("GPU", 0.0) / gpus_per_job)
    n = max(1, math.floor(slots))
    return 2 * n


def run_ray(tasks: Iterable[JobTask], on_result: OnResult, address: Optional[str] = None,
            cpus_per_job: float = 1.0, num_cpus: Optional[int] = None, max_retries: int = 1,
            gpus_per_job: float = 0.0, job: JobFn = run_job, stop: Optional[Stop] = None,
            timeout: float = 60.0) -> None:
    """Run tasks as Ray tasks (``num_cpus=cpus_per_job`` each, a fresh worker per job).

    With ``gpus_per_job`` > 0 each task also asks ``num_gpus=gpus_per_job``; Ray
    then sets the task's ``CUDA_VISIBLE_DEVICES`` to the GPU(s) it was given.
    At most twice as many tasks as the cluster can run at once are submitted.

    Connects with ``connect_ray(address, num_cpus, timeout)`` unless Ray is already
    initialised (then it is used as it is); a Ray connected here is shut down at the
    end. ``stop``: no task is submitted once it is set; an urgent one cancels the
    submitted tasks (``ray.cancel(force=True)`` kills their workers) and records them
    as ``interrupted``. On a cluster the output root must be a path every node sees.
    """
    import ray

    queue = list(tasks)[::-1]
    if not queue:
        return
    own = stop is None
    stop = Stop() if stop is None else stop
    started = connect_ray(address, num_cpus, timeout)
    submitted: dict = {}  # ref -> (task, started, t0)
    try:
        gpu = {"num_gpus": gpus_per_job} if gpus_per_job > 0 else {}
        remote = ray.remote(num_cpus=cpus_per_job, max_calls=1, max_retries=max_retries, **gpu)(job)
        window = _in_flight(cpus_per_job, gpus_per_job)
        while submitted or (queue and not stop.requested):
            while queue and len(submitted) < window and not stop.requested:
                task = queue.pop()
                submitted[remote.remote(task)] = (task, now(), time.monotonic())
            if stop.urgent:
                break
            ready, _ = ray.wait(list(submitted), num_returns=1, timeout=0.5)  # 0.5 s: notice a stop
            for ref in ready:
                task, _, t0 = submitted.pop(ref)
                try:
                    rec = ray.get(ref)
                except Exception as e:  # worker crashed or node lost, after Ray's retries
                    rec = make_record(task, "failed", "", 0.0, error=f"worker lost: {one_line(e)}")
                rec["wall_s"] = round(time.monotonic() - t0, 3)
                on_result(rec)
    finally:
        for ref in submitted:
            with contextlib.suppress(Exception):
                ray.cancel(ref, force=True)
        if submitted:  # a force-cancelled task's result turns ready once Ray has killed its worker
            with contextlib.suppress(Exception):
                ray.wait(list(submitted), num_returns=len(submitted), timeout=CANCEL_WAIT_S)
        for ref, (task, t_start, t0) in submitted.items():
            with contextlib.suppress(Exception):
                on_result(make_record(task, "interrupted", t_start, time.monotonic() - t0,
                                      error=stop.reason or "interrupted"))
        if started:
            ray.shutdown()
        if own:
            stop.close()
