"""The local runner: a fresh spawned worker process per job, at most ``workers`` at once.

The driver starts each worker itself (``multiprocessing`` spawn, from the calling
thread) and waits on the workers' result pipes, their process sentinels and the
run's ``Stop`` at once, so it always knows which process holds which job:

- a worker sends its record and exits; its slot is free once the process is gone
  (a GPU or memory is never shared with a worker still shutting down);
- a worker that dies without a record (a segfault, the OOM killer) is recorded as
  ``failed`` with ``worker lost: killed by SIGSEGV`` (or its exit code), and the
  others go on;
- an urgent stop (a signal) or an exception (the manifest can not be written)
  ends every worker: SIGTERM, then SIGKILL after ``grace`` seconds; each job they
  held is recorded as ``interrupted`` and ``run_local`` returns (or re-raises) only
  when every worker process has been reaped.

No ``concurrent.futures`` pool: its exit-time join hangs when the driver alone gets
SIGINT, and a worker it spawns from its manager thread would take that thread's
exit, not the driver's, as its parent's death.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import signal
import time
from dataclasses import dataclass, replace
from multiprocessing import connection
from typing import Callable, Iterable, Optional

from . import lifeline
from .stop import Stop
from .worker import JobFn, JobTask, make_record, now, run_job

OnResult = Callable[[dict], None]

EXIT_GRACE_S = 60.0  # a worker that sent its record but has not exited after this long is killed


@dataclass
class _Worker:
    task: JobTask
    slot: int
    proc: multiprocessing.process.BaseProcess
    conn: connection.Connection
    started: str
    t0: float
    record: Optional[dict] = None  # received from the worker
    received: float = 0.0  # monotonic time of the record
    eof: bool = False  # its pipe closed without a record


def _start(ctx, job: JobFn, task: JobTask, slot: int) -> _Worker:
    recv, send = ctx.Pipe(duplex=False)
    payload = pickle.dumps((job, task))  # unpickled only after the worker set its parent-death signal
    proc = ctx.Process(target=lifeline.main, args=(os.getpid(), payload, send), name=f"wildsynth-job {task.id}")
    started, t0 = now(), time.monotonic()
    proc.start()
    send.close()  # the worker holds the only write end: its death reads as EOF here
    return _Worker(task, slot, proc, recv, started, t0)


def _exit_reason(code: Optional[int]) -> str:
    if code is not None and code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


def _receive(w: _Worker) -> bool:
    """Read the worker's record if it sent one; True when a record arrived."""
    if w.record is not None or w.eof or not w.conn.poll():
        return False
    try:
        rec = w.conn.recv()
    except (EOFError, OSError):
        w.eof = True
        return False
    rec["wall_s"] = round(time.monotonic() - w.t0, 3)  # process start to record, seen by the driver
    w.record, w.received = rec, time.monotonic()
    return True


def _end(workers: list[_Worker], grace: float) -> None:
    """SIGTERM every live worker, SIGKILL what is left after ``grace`` seconds, reap them all."""
    for w in workers:
        if w.proc.is_alive():
            with contextlib.suppress(OSError):
                w.proc.terminate()
    deadline = time.monotonic() + grace
    for w in workers:
        w.proc.join(max(0.0, deadline - time.monotonic()))
    for w in workers:
        if w.proc.is_alive():
            with contextlib.suppress(OSError):
                w.proc.kill()
        w.proc.join()


def _cut_short(w: _Worker, reason: str) -> dict:
    return make_record(w.task, "interrupted", w.started, time.monotonic() - w.t0, error=reason, pid=w.proc.pid,
                       wall_s=round(time.monotonic() - w.t0, 3))


def run_local(tasks: Iterable[JobTask], on_result: OnResult, workers: int = 1, gpus: int = 0,
              job: JobFn = run_job, stop: Optional[Stop] = None, grace: float = 2.0) -> None:
    """Run tasks in spawned processes, a fresh one per job, at most ``workers`` at once;
    ``on_result`` gets every record (in the calling thread, as it arrives).

    With ``gpus`` > 0 every running job holds one of ``workers`` slots, slot ``i``
    seeing GPU ``i % gpus`` only (``render.devices.worker_gpu_env``), so two jobs
    never share a GPU while there are as many GPUs as workers. ``job`` is what a
    worker runs (``run_job``; tests pass fault-injecting wrappers, importable by name).

    ``stop``: a request (``dataset.stop.Stop``) checked between jobs; once set no job
    is started, and an urgent one ends the running workers (their jobs recorded as
    ``interrupted``). Returns when no worker process is left.
    """
    from ..render.devices import worker_gpu_env

    queue = list(tasks)[::-1]  # pop() takes them in order
    if not queue:
        return
    own = stop is None
    stop = Stop() if stop is None else stop
    ctx = multiprocessing.get_context("spawn")
    free = list(range(workers))[::-1]
    running: list[_Worker] = []
    try:
        while running or (queue and not stop.requested):
            while queue and free and not stop.requested:
                slot, task = free.pop(), queue.pop()
                if gpus > 0:
                    task = replace(task, env=tuple(sorted(worker_gpu_env(slot, gpus).items())))
                running.append(_start(ctx, job, task, slot))
            if stop.urgent:
                break
            waiting = [w.proc.sentinel for w in running] + [w.conn for w in running if w.record is None and not w.eof]
            exits = [w.received + EXIT_GRACE_S for w in running if w.record is not None]
            timeout = max(0.0, min(exits) - time.monotonic()) if exits else None
            connection.wait([*waiting, stop], timeout=timeout)
            stop.drain()
            for w in list(running):
                if _receive(w):
                    on_result(w.record)
                if w.record is not None and w.proc.is_alive() and time.monotonic() > w.received + EXIT_GRACE_S:
                    w.proc.kill()
                if w.proc.is_alive():
                    continue
                w.proc.join()
                if _receive(w):  # sent just before it exited
                    on_result(w.record)
                if w.record is None:
                    on_result(make_record(w.task, "failed", w.started, time.monotonic() - w.t0, pid=w.proc.pid,
                                          error=f"worker lost: {_exit_reason(w.proc.exitcode)}"))
                w.conn.close()
                running.remove(w)
                free.append(w.slot)
    except BaseException as e:
        _end(running, grace)
        reason = stop.reason or f"interrupted: {type(e).__name__}"
        for w in running:
            if w.record is None:
                with contextlib.suppress(Exception):  # the manifest may be what failed
                    on_result(_cut_short(w, reason))
        raise
    else:
        _end(running, grace)
        for w in running:
            if w.record is None:
                on_result(_cut_short(w, stop.reason or "interrupted"))
    finally:
        for w in running:
            w.conn.close()
        if own:
            stop.close()
