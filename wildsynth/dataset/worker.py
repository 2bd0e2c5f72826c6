"""What runs inside a dataset worker: one job (``run_job``), its record and its clean-up.

``run_job`` is the same for the local pool and Ray. It never raises: an exception
becomes a ``failed`` record (with ``errno`` when it was an ``OSError``, so the driver
can tell a full disk from a bad seed). Every record it returns carries the worker's
``peak_rss_mb`` and ``cpu_s`` (user + system seconds of the whole worker process,
Blender import included), since each job runs in a fresh process.
"""

from __future__ import annotations

import os
import resource
import shutil
import socket
import sys
import time
import traceback
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from ..run import MARKER, peak_rss_mb
from .jobs import DatasetSpec, Job

JobFn = Callable[["JobTask"], dict]


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
    task: str = "frames"  # or a task of wildsynth.tasks, made by tasks.run_task
    task_options: tuple[tuple[str, object], ...] = ()

    @classmethod
    def from_job(cls, job: Job, spec: DatasetSpec) -> "JobTask":
        return cls(job.id, job.scene, job.seed, str(Path(job.folder).resolve()),
                   tuple(spec.overrides.get(job.scene, [])), spec.render.model_dump(mode="json"),
                   spec.options.model_dump(mode="json"), task=spec.task,
                   task_options=tuple(sorted(spec.task_options.items())))


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def make_record(task: JobTask, status: str, started: str, seconds: float, **rest) -> dict:
    """A manifest record of ``task`` (the fields of docs/dataset.md; ``rest`` adds or overrides)."""
    rec = {"id": task.id, "scene": task.scene, "seed": task.seed, "folder": task.id, "status": status,
           "started": started, "seconds": round(seconds, 3), "timings": {}, "stats": {}, "error": None,
           "peak_rss_mb": None, "cpu_s": None}
    rec.update(rest)
    return rec


def one_line(e: BaseException) -> str:
    text = " ".join(str(e).split())
    return f"{type(e).__name__}: {text}" if text else type(e).__name__


def process_usage() -> dict:
    """This process's peak RSS (MB) and CPU seconds so far (its children's included)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime
    return {"peak_rss_mb": round(peak_rss_mb(), 1), "cpu_s": round(cpu, 3)}


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
    started, t0 = now(), time.perf_counter()
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
        if task.task != "frames":  # a task of wildsynth.tasks: its own files beside a pipeline run
            from ..tasks import run_task

            clear_leftovers(folder)
            result = run_task(task)
            return make_record(task, "done", started, time.perf_counter() - t0, timings=result.timings,
                               stats=result.stats, **where, **process_usage())
        params = apply_overrides(get_scene(task.scene).params, list(task.overrides), what=task.scene)
        spec = RunSpec(task.scene, task.seed, params, RenderSettings(**task.render), folder,
                       RunOptions(**task.options))
        clear_leftovers(folder)
        result = run(spec)
        return make_record(task, "done", started, time.perf_counter() - t0, timings=result.timings,
                           stats=result.stats, **where, **process_usage())
    except Exception as e:  # recorded, and the run goes on
        return failed_record(task, e, started, time.perf_counter() - t0, **where)


def failed_record(task: JobTask, e: BaseException, started: str, seconds: float, **rest) -> dict:
    """The ``failed`` record of an exception (``errno`` kept for the driver: ENOSPC stops a run)."""
    return make_record(task, "failed", started, seconds, error=one_line(e), traceback=traceback.format_exc(limit=-8),
                       errno=getattr(e, "errno", None) if isinstance(e, OSError) else None,
                       **rest, **process_usage())


def serve(job: JobFn, task: JobTask, conn) -> None:
    """Run one job in this (worker) process and send its record on ``conn``."""
    started, t0 = now(), time.perf_counter()
    try:
        rec = job(task)
    except BaseException as e:  # a job function other than run_job may raise
        rec = failed_record(task, e, started, time.perf_counter() - t0)
    conn.send(rec)
    conn.close()
