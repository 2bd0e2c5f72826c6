"""Run dataset jobs (each one ``wildsynth.run`` run: a still or a whole shot): a local pool
of worker processes or a Ray cluster.

Both runners call the same ``run_job`` and hand every result back to the
parent, which alone writes the manifest. Each job gets a fresh process
(bpy keeps memory between renders): ``max_tasks_per_child=1`` locally,
``max_calls=1`` on Ray. ``run_job`` never raises: an exception becomes a
``failed`` record and the run goes on; a worker that dies outright (a crash in
Blender) is recorded as failed by the runner. Failed jobs run again on the
next ``generate_dataset`` over the same root.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import shutil
import signal
import socket
import sys
import time
import traceback
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable, Optional

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

from ..run import MARKER
from .jobs import DatasetSpec, Job, plan_jobs, save_spec
from .manifest import append_record, job_status

OnResult = Callable[[dict], None]


@dataclass(frozen=True)
class JobTask:
    """Everything a worker needs for one job (plain data: pickled to processes and Ray).

    ``env`` is applied in the worker before Blender loads (a local worker's GPU:
    ``CUDA_VISIBLE_DEVICES``/``HIP_VISIBLE_DEVICES`` naming one device).
    """

    id: str
    scene: str
    seed: int
    folder: str
    overrides: tuple[str, ...]
    render: dict
    options: dict
    env: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_job(cls, job: Job, spec: DatasetSpec) -> "JobTask":
        return cls(job.id, job.scene, job.seed, str(Path(job.folder).resolve()),
                   tuple(spec.overrides.get(job.scene, [])), spec.render.model_dump(mode="json"),
                   spec.options.model_dump(mode="json"))


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _record(task: JobTask, status: str, started: str, seconds: float, **rest) -> dict:
    rec = {"id": task.id, "scene": task.scene, "seed": task.seed, "folder": task.id, "status": status,
           "started": started, "seconds": round(seconds, 3), "timings": {}, "stats": {}, "error": None}
    rec.update(rest)
    return rec


def _one_line(e: BaseException) -> str:
    text = " ".join(str(e).split())
    return f"{type(e).__name__}: {text}" if text else type(e).__name__


def clear_leftovers(folder: Path) -> None:
    """Make ``folder`` ready for a fresh attempt at its job.

    A job folder without ``scene.json`` is an interrupted attempt: a still's
    staged files, or a sequence's finished and half-written view folders. It is
    removed whole, so the run starts from nothing (views of a shot are not
    reused: each depends on the scene build of its run). In a complete folder
    (a job run again on purpose) only staging folders (``.staging-*``) and
    atomic writers' temporaries (``.*.tmp-*``) are removed, at any depth.
    A path that is not a folder is left alone (the run then fails on it).
    """
    if not folder.is_dir():
        return
    if not (folder / MARKER).is_file():
        shutil.rmtree(folder)
        return
    for p in sorted(folder.rglob(".*"), key=lambda p: -len(p.parts)):
        if p.name.startswith(".staging-") and p.is_dir():
            shutil.rmtree(p, ignore_errors=True)
        elif ".tmp-" in p.name and p.is_file():
            p.unlink(missing_ok=True)


def _drop_inherited_blender_paths() -> None:
    """A spawned worker starts with its parent's ``sys.path``. If the parent had
    imported bpy, that path begins with Blender's ``scripts/modules``, whose
    pure-Python ``bpy`` package shadows the real module (``No module named
    '_bpy'``). Drop Blender's script folders; importing bpy adds them back."""
    if "bpy" in sys.modules:
        return
    sys.path[:] = [p for p in sys.path
                   if not ("scripts" in Path(p).parts and {"bpy", "blender"} & set(Path(p).parts))]


def run_job(task: JobTask) -> dict:
    """Make one job (a still or a whole shot) with ``wildsynth.run``; returns its manifest
    record (``done`` or ``failed``), never raises."""
    started, t0 = _now(), time.perf_counter()
    os.environ.update(dict(task.env))  # before anything loads Blender (and with it CUDA/HIP)
    _drop_inherited_blender_paths()
    where = {"host": socket.gethostname(), "pid": os.getpid(), "gpu": os.environ.get("CUDA_VISIBLE_DEVICES")}
    try:
        from ..params import apply_overrides
        from ..render.settings import RenderSettings
        from ..run import RunOptions, RunSpec, run
        from ..scenes import get as get_scene

        folder = Path(task.folder)
        if folder.exists() and not folder.is_dir():
            raise NotADirectoryError(f"{folder}: exists and is not a folder")
        params = apply_overrides(get_scene(task.scene).params, list(task.overrides), what=task.scene)
        spec = RunSpec(task.scene, task.seed, params, RenderSettings(**task.render), folder,
                       RunOptions(**task.options))
        clear_leftovers(folder)
        result = run(spec)
        return _record(task, "done", started, time.perf_counter() - t0, timings=result.timings,
                       stats=result.stats, **where)
    except Exception as e:  # recorded, and the run goes on
        return _record(task, "failed", started, time.perf_counter() - t0, error=_one_line(e),
                       traceback=traceback.format_exc(limit=-8), **where)


def _lost(task: JobTask, e: BaseException) -> dict:
    """Record for a job whose worker died before it could report."""
    return _record(task, "failed", "", 0.0, error=f"worker lost: {_one_line(e)}")


_PR_SET_PDEATHSIG = 1


def _die_with_parent(parent: int) -> None:
    """Linux: the kernel kills this worker when the driver dies, even by SIGKILL, so a killed
    driver never leaves workers rendering on. Elsewhere a no-op."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the driver died before prctl took effect
        os._exit(1)


def _worker_init(parent: int) -> None:
    """Ctrl-C kills a worker at once (the kernel's default action). Blender catches a
    KeyboardInterrupt raised inside a Cycles render, prints it and carries on, so the
    job could otherwise be finished, and marked complete, from a cut-short render.
    The worker also dies with its driver (``_die_with_parent``)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    _die_with_parent(parent)


def run_local(tasks: Iterable[JobTask], on_result: OnResult, workers: int = 1, gpus: int = 0) -> None:
    """Run tasks in ``workers`` spawned processes, a fresh one per job, at most ``workers`` at once.

    With ``gpus`` > 0 every running job holds one of ``workers`` slots, slot ``i``
    seeing GPU ``i % gpus`` only (``render.devices.worker_gpu_env``), so two jobs
    never share a GPU while there are as many GPUs as workers. A worker that dies
    outright breaks the pool: the jobs running in it are recorded as lost, and
    the remaining ones go on in a fresh pool.
    """
    from ..render.devices import worker_gpu_env

    queue = list(tasks)[::-1]  # pop() takes them in order
    if not queue:
        return
    ctx = multiprocessing.get_context("spawn")
    free = list(range(workers))[::-1]
    running: dict = {}  # future -> (task, slot)

    def new_pool() -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=workers, mp_context=ctx, max_tasks_per_child=1,
                                   initializer=_worker_init, initargs=(os.getpid(),))

    pool = new_pool()
    try:
        while queue or running:
            while queue and free:
                slot = free.pop()
                task = queue.pop()
                if gpus > 0:
                    task = replace(task, env=tuple(sorted(worker_gpu_env(slot, gpus).items())))
                try:
                    fut = pool.submit(run_job, task)
                except BrokenProcessPool:
                    free.append(slot)
                    queue.append(task)
                    pool.shutdown(wait=False, cancel_futures=True)
                    pool = new_pool()
                    continue
                running[fut] = (task, slot)
            finished, _ = wait(list(running), return_when=FIRST_COMPLETED)
            broken = False
            for fut in finished:
                task, slot = running.pop(fut)
                free.append(slot)
                try:
                    rec = fut.result()
                except Exception as e:  # BrokenProcessPool: a worker died, and the pool with it
                    rec = _lost(task, e)
                    broken = True
                on_result(rec)
            if broken and not running:
                pool.shutdown(wait=False, cancel_futures=True)
                pool = new_pool()
    except BaseException:  # Ctrl-C: drop queued jobs; a job cut short has no scene.json and resumes
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def run_ray(tasks: Iterable[JobTask], on_result: OnResult, address: Optional[str] = None,
            cpus_per_job: float = 1.0, num_cpus: Optional[int] = None, max_retries: int = 1,
            gpus_per_job: float = 0.0) -> None:
    """Run tasks as Ray tasks (``num_cpus=cpus_per_job`` each, a fresh worker per job).

    With ``gpus_per_job`` > 0 each task also asks ``num_gpus=gpus_per_job``; Ray
    then sets the task's ``CUDA_VISIBLE_DEVICES`` to the GPU(s) it was given.

    Connects to ``address`` (``"auto"``, ``"ray://host:10001"``, ...) or, with
    ``None``, starts a local Ray with ``num_cpus``; if Ray is already initialised
    it is used as it is. A Ray started here is shut down at the end. On a cluster
    the output root must be a path every node sees (a shared file system).
    """
    import ray

    tasks = list(tasks)
    if not tasks:
        return
    started = not ray.is_initialized()
    if started:
        kw = {"num_cpus": num_cpus} if address is None and num_cpus else {}
        ray.init(address=address, include_dashboard=False, log_to_driver=False, **kw)
    try:
        gpu = {"num_gpus": gpus_per_job} if gpus_per_job > 0 else {}
        remote = ray.remote(num_cpus=cpus_per_job, max_calls=1, max_retries=max_retries, **gpu)(run_job)
        refs = {remote.remote(t): t for t in tasks}
        pending = list(refs)
        while pending:
            ready, pending = ray.wait(pending, num_returns=1)
            for ref in ready:
                try:
                    rec = ray.get(ref)
                except Exception as e:  # worker crashed or node lost, after Ray's retries
                    rec = _lost(refs[ref], e)
                on_result(rec)
    finally:
        if started:
            ray.shutdown()


@dataclass
class RunSummary:
    planned: int
    skipped: int  # already done before this run
    done: int
    failed: int
    seconds: float

    def as_dict(self) -> dict:
        return asdict(self)


def generate_dataset(spec: DatasetSpec, workers: int = 1, runner: str = "local", ray_address: Optional[str] = None,
                     cpus_per_job: float = 1.0, gpus_per_job: float = 0.0, gpus: Optional[int] = None,
                     progress: bool = True, console: Optional[Console] = None,
                     on_result: Optional[OnResult] = None) -> RunSummary:
    """Plan the dataset, skip jobs already done, run the rest and log each to the manifest.

    ``runner`` is ``"local"`` (``workers`` processes) or ``"ray"`` (``ray_address``;
    ``None`` starts a local Ray with ``workers * cpus_per_job`` CPUs). Local workers
    get one GPU each when there are GPUs (``gpus``; None counts them with
    ``render.devices.count_gpus``, and a ``cpu`` render device uses none); Ray
    tasks ask ``num_gpus=gpus_per_job`` when it is > 0.
    """
    if runner not in ("local", "ray"):
        raise ValueError(f"runner {runner!r}: choose local or ray")
    if workers < 1:
        raise ValueError(f"workers {workers}: must be at least 1")
    t0 = time.perf_counter()
    root = Path(spec.out)
    save_spec(spec)
    jobs = plan_jobs(spec)
    status = job_status(root, jobs)
    redo = set(status.failed) | set(status.pending)
    tasks = [JobTask.from_job(j, spec) for j in jobs if j in redo]
    if runner == "local" and workers > 1 and spec.render.threads == 0:
        # share the cores: each of the workers' Cycles renders would otherwise start one thread per core
        threads = max(1, (os.cpu_count() or 1) // workers)
        tasks = [replace(t, render={**t.render, "threads": threads}) for t in tasks]
    if runner == "local" and gpus is None:
        from ..render.devices import count_gpus

        gpus = 0 if spec.render.device == "cpu" else count_gpus()
    counts = {"done": 0, "failed": 0}

    columns = (SpinnerColumn(), TextColumn("{task.description:<8}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("[red]{task.fields[failed]} failed"), TimeElapsedColumn(), TextColumn("eta"),
               TimeRemainingColumn())
    with Progress(*columns, console=console or Console(stderr=True), disable=not progress) as bar:
        bar_id = bar.add_task("jobs", total=len(jobs), completed=len(status.done), failed=0)

        def record(rec: dict) -> None:
            append_record(root, rec)
            counts[rec["status"]] += 1
            bar.update(bar_id, advance=1, failed=counts["failed"])
            if on_result is not None:
                on_result(rec)

        if runner == "ray":
            run_ray(tasks, record, address=ray_address, cpus_per_job=cpus_per_job, gpus_per_job=gpus_per_job,
                    num_cpus=max(1, math.ceil(workers * cpus_per_job)))
        else:
            run_local(tasks, record, workers=workers, gpus=gpus or 0)
    return RunSummary(planned=len(jobs), skipped=len(status.done), done=counts["done"], failed=counts["failed"],
                      seconds=round(time.perf_counter() - t0, 3))
