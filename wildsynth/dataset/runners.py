"""Run a dataset: ``generate_dataset`` plans the jobs, skips the done ones and runs the rest
in local worker processes (``local.run_local``) or on Ray (``ray_runner.run_ray``).

Both runners call the same ``worker.run_job`` in a fresh process per job and hand
every record back to the driver, which alone writes the manifest. One driver per
root: the root is locked (``io.lock.RunLock`` on ``ROOT/.wildsynth.lock``) from
before ``dataset.json`` is written until every worker is gone. Everything that can
be checked is checked before anything is written: the spec against the root's
``dataset.json``, and a Ray address (bounded, ``ray_runner.check_ray_address``).

A run ends early, with ``RunStopped`` (a one-line message and an exit code), when
the driver gets SIGTERM, SIGINT or SIGHUP (exit 128 + signal: 143, 130, 129; the
running jobs are ended and recorded as ``interrupted``), or when a job reports a
full disk (exit 1: no new job starts, the running ones finish) or the manifest can
not be written (exit 1). Running the same command again resumes.
"""

from __future__ import annotations

import contextlib
import errno
import math
import os
import signal
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Callable, Optional

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from ..io.lock import RunLock
from ..params import UserError
from .jobs import DatasetSpec, check_spec, plan_jobs, save_spec
from .local import run_local
from .manifest import append_record, job_status, manifest_path, recover_records
from .ray_runner import connect_ray, run_ray
from .stop import Stop, catch_signals
from .worker import JobFn, JobTask, clear_leftovers, run_job

__all__ = ["LOCK_FILE", "JobTask", "RunStopped", "RunSummary", "clear_leftovers", "generate_dataset", "run_job",
           "run_local", "run_ray"]

OnResult = Callable[[dict], None]
LOCK_FILE = ".wildsynth.lock"
_DISK_FULL = (errno.ENOSPC, errno.EDQUOT)


@dataclass
class RunSummary:
    planned: int
    skipped: int  # already done before this run
    done: int
    failed: int
    seconds: float
    interrupted: int = 0  # running when the run was stopped

    def as_dict(self) -> dict:
        return asdict(self)


class RunStopped(Exception):
    """The run ended early. ``str(e)`` is one line; ``exit_code`` is 128 + signal for a signal, 1
    otherwise; ``summary`` counts what this run did."""

    def __init__(self, message: str, exit_code: int, summary: RunSummary, signum: Optional[int] = None):
        super().__init__(message)
        self.exit_code, self.summary, self.signum = exit_code, summary, signum


def generate_dataset(spec: DatasetSpec, workers: int = 1, runner: str = "local", ray_address: Optional[str] = None,
                     cpus_per_job: float = 1.0, gpus_per_job: float = 0.0, gpus: Optional[int] = None,
                     progress: bool = True, console: Optional[Console] = None,
                     on_result: Optional[OnResult] = None, job: JobFn = run_job,
                     ray_timeout: float = 60.0, stop: Optional[Stop] = None) -> RunSummary:
    """Plan the dataset, skip jobs already done, run the rest and log each to the manifest.

    ``runner`` is ``"local"`` (``workers`` processes) or ``"ray"`` (``ray_address``;
    ``None`` starts a local Ray with ``workers * cpus_per_job`` CPUs; any other address
    must answer within ``ray_timeout`` seconds). Local workers get one GPU each when
    there are GPUs (``gpus``; None counts them with ``render.devices.count_gpus``, and
    a ``cpu`` render device uses none); Ray tasks ask ``num_gpus=gpus_per_job`` when > 0.
    ``job`` is what each worker runs (``worker.run_job``).

    Raises ``UserError`` (one line, nothing written) for a root holding another
    dataset, a root locked by another run (``io.lock.LockHeld``) or a Ray address
    that does not answer; ``RunStopped`` when the run ends early (module docstring).
    Signal handlers are set from the main thread only, while it runs; with a ``stop`` of
    the caller's they stay set afterwards (the CLI, which exits next, passes one), and the
    caller may also request that stop itself (from another thread) to end the run.
    """
    if runner not in ("local", "ray"):
        raise ValueError(f"runner {runner!r}: choose local or ray")
    if workers < 1:
        raise ValueError(f"workers {workers}: must be at least 1")
    t0 = time.perf_counter()
    root = Path(spec.out)
    check_spec(spec)  # read only: a root holding another dataset is refused before anything is written
    counts = {"done": 0, "failed": 0, "interrupted": 0}
    disk_full: list[str] = []
    own = stop is None
    stop = Stop() if stop is None else stop
    with contextlib.ExitStack() as stack:
        if own:
            stack.callback(stop.close)
        shutdown_ray = None
        if runner == "ray":
            import ray

            try:
                started = connect_ray(ray_address, max(1, math.ceil(workers * cpus_per_job)), ray_timeout)
            except SystemExit as e:  # ray.init's own SIGTERM handler, while it connects: nothing written yet
                if e.code != signal.SIGTERM:
                    raise
                raise RunStopped(f"--ray {ray_address or 'local'}: interrupted by SIGTERM while connecting; "
                                 "nothing was written", 128 + signal.SIGTERM, _summary(0, 0, counts, t0),
                                 signal.SIGTERM) from None
            if started:
                def shutdown_ray() -> None:
                    if ray.is_initialized():
                        ray.shutdown()

                stack.callback(shutdown_ray)
        stack.enter_context(catch_signals(stop, restore=own))  # after ray.init, which sets a SIGTERM handler of its own
        try:
            root.mkdir(parents=True, exist_ok=True)
            stack.enter_context(RunLock(root / LOCK_FILE, what=f"--out {root}"))
            if shutdown_ray is not None:
                stack.callback(shutdown_ray)  # the Ray started here (and its workers) ends before the lock goes
            save_spec(spec)
        except OSError as e:  # a full or read-only disk, before any job ran
            raise UserError(f"--out {root}: cannot write {e.filename or root} ({e.strerror or e})") from None
        jobs = plan_jobs(spec)
        skipped = 0
        try:
            recover_records(root, jobs)  # done jobs whose record a killed driver never wrote
            status = job_status(root, jobs)
            skipped = len(status.done)
            redo = set(status.failed) | set(status.pending)
            tasks = [JobTask.from_job(j, spec) for j in jobs if j in redo]
            if runner == "local" and workers > 1 and spec.render.threads == 0:
                # share the cores: each of the workers' Cycles renders would otherwise start one thread per core
                threads = max(1, (os.cpu_count() or 1) // workers)
                tasks = [replace(t, render={**t.render, "threads": threads}) for t in tasks]
            if runner == "local" and gpus is None:
                from ..render.devices import count_gpus

                gpus = 0 if spec.render.device == "cpu" else count_gpus()

            columns = (SpinnerColumn(), TextColumn("{task.description:<8}"), BarColumn(), MofNCompleteColumn(),
                       TextColumn("[red]{task.fields[failed]} failed"), TimeElapsedColumn(), TextColumn("eta"),
                       TimeRemainingColumn())
            with Progress(*columns, console=console or Console(stderr=True), disable=not progress) as bar:
                bar_id = bar.add_task("jobs", total=len(jobs), completed=skipped, failed=0)

                def record(rec: dict) -> None:
                    append_record(root, rec)
                    counts[rec["status"]] = counts.get(rec["status"], 0) + 1
                    if rec["status"] != "interrupted":
                        bar.update(bar_id, advance=1, failed=counts["failed"])
                    if rec.get("errno") in _DISK_FULL and not disk_full:
                        disk_full.append(f"{rec['id']}: {rec['error']}")
                        stop.request("disk full", urgent=False)  # no new job; the running ones finish
                    if on_result is not None:
                        on_result(rec)

                if not stop.requested:
                    if runner == "ray":
                        run_ray(tasks, record, address=ray_address, cpus_per_job=cpus_per_job,
                                gpus_per_job=gpus_per_job, job=job, stop=stop, timeout=ray_timeout)
                    else:
                        run_local(tasks, record, workers=workers, gpus=gpus or 0, job=job, stop=stop)
        except OSError as e:  # the driver's own writes (the manifest): its workers are already ended
            where = e.filename or manifest_path(root)
            raise RunStopped(f"{where}: {e.strerror or e}; the run stopped and its workers were ended; "
                             "run the same command again to resume", 1, _summary(len(jobs), skipped, counts, t0),
                             ) from None
    summary = _summary(len(jobs), skipped, counts, t0)
    if stop.signum is not None:
        raise RunStopped(f"{root}: {stop.reason}: {counts['interrupted']} running jobs recorded as interrupted, "
                         f"{counts['done']} done in this run; run the same command again to resume",
                         stop.exit_code, summary, stop.signum)
    if disk_full:
        raise RunStopped(f"{root}: no space left on device ({disk_full[0]}); stopped after {counts['done']} done "
                         f"in this run; free some space and run the same command again to resume", 1, summary)
    return summary


def _summary(planned: int, skipped: int, counts: dict, t0: float) -> RunSummary:
    return RunSummary(planned=planned, skipped=skipped, done=counts["done"], failed=counts["failed"],
                      seconds=round(time.perf_counter() - t0, 3), interrupted=counts["interrupted"])
