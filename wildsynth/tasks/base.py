"""The task registry and what a dataset worker runs for a task job.

A scene task's job runs the one pipeline (``wildsynth.run.run``) into ``<job>/run/`` with the
dataset's render settings and the shot the task asks for (``Task.shot``), then turns that run
into the task's files in ``<job>/`` (``Task.write``) and writes ``<job>/scene.json`` last: a
job folder is complete only when it holds it (``dataset.manifest``), so a killed job leaves no
folder that looks done and is redone from nothing. A task without a scene (``objects``) makes
its files itself (``Task.make``). ``finish_dataset`` writes a task's root-level indexes
(``Task.finish``) over the finished jobs, under the root's lock.
"""

from __future__ import annotations

import importlib
import pkgutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from ..params import UserError

RUN_DIR = "run"


@dataclass(frozen=True)
class Task:
    name: str
    description: str
    params: type[BaseModel]
    # scene tasks: the run options of the job's pipeline run, from the dataset's options and the task's params
    shot: Callable[[Any, BaseModel], Any] | None = None
    # scene tasks: (run folder, job folder, params, job) -> stats; writes the task's files into the job folder
    write: Callable[[Path, Path, BaseModel, Any], dict] | None = None
    # scene-less tasks: (job folder, params, job) -> stats
    make: Callable[[Path, BaseModel, Any], dict] | None = None
    # (dataset root, finished job folders, params) -> summary; root-level indexes
    finish: Callable[[Path, list, BaseModel], dict] | None = None
    uses_scene: bool = True


TASKS: dict[str, Task] = {}
_loaded = False


def register_task(task: Task) -> Task:
    if task.name in TASKS or task.name == "frames":
        raise ValueError(f"task {task.name!r} registered twice")
    TASKS[task.name] = task
    return task


def _load() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    from .. import tasks as pkg

    for m in sorted(m.name for m in pkgutil.iter_modules(pkg.__path__)):
        if m not in ("base", "warp"):
            importlib.import_module(f"{pkg.__name__}.{m}")


def task_names() -> list[str]:
    _load()
    return ["frames", *sorted(TASKS)]


def get_task(name: str) -> Task:
    _load()
    if name not in TASKS:
        raise UserError(f"--task {name!r}: unknown; choose one of {', '.join(task_names())}")
    return TASKS[name]


def task_params(name: str, options: dict) -> BaseModel:
    """The task's validated parameters (one-line ``UserError`` naming the option)."""
    task = get_task(name)
    try:
        return task.params(**options)
    except ValidationError as e:
        x = e.errors()[0]
        where = ".".join(str(p) for p in x["loc"]) or "?"
        raise UserError(f"--task-option {where}={x.get('input')!r}: {x['msg'].removeprefix('Value error, ')} "
                        f"(task {name})") from None


def parse_task_options(items: list[str]) -> dict:
    """CLI ``--task-option key=value`` values -> a dict (values parsed as JSON when they parse)."""
    import json

    out: dict = {}
    for item in items:
        key, eq, value = item.partition("=")
        if not eq or not key.strip():
            raise UserError(f"--task-option {item!r}: expected KEY=VALUE, e.g. size=256")
        try:
            out[key.strip()] = json.loads(value)
        except json.JSONDecodeError:
            out[key.strip()] = value
    return out


def run_task(job) -> Any:
    """Make one task job (a ``dataset.worker.JobTask`` whose ``task`` is not ``frames``);
    returns a ``run.RunResult``. The caller cleared the job folder's leftovers."""
    from ..io import write_json
    from ..run import MARKER, RunResult, peak_rss_mb

    task = get_task(job.task)
    p = task_params(job.task, dict(job.task_options))
    folder = Path(job.folder)
    t0 = time.perf_counter()
    timings: dict = {}
    if not task.uses_scene:
        folder.mkdir(parents=True, exist_ok=True)
        stats = task.make(folder, p, job)
        meta: dict = {}
    else:
        from ..params import apply_overrides
        from ..render.settings import RenderSettings
        from ..run import RunOptions, RunSpec, run
        from ..scenes import get as get_scene

        params = apply_overrides(get_scene(job.scene).params, list(job.overrides), what=job.scene)
        options = task.shot(RunOptions(**job.options), p)
        render = RenderSettings(**job.render)
        run_dir = folder / RUN_DIR
        result = run(RunSpec(job.scene, job.seed, params, render, run_dir, options))
        timings.update(result.timings)
        t1 = time.perf_counter()
        stats = {**result.stats, **task.write(run_dir, folder, p, job)}
        timings["task_write"] = round(time.perf_counter() - t1, 3)
        import json

        meta = {k: v for k, v in json.loads((run_dir / MARKER).read_text()).items()
                if k in ("wildsynth_version", "scene", "seed", "params", "render", "options", "sky")}
    timings["total"] = round(time.perf_counter() - t0, 3)
    stats["peak_rss_mb"] = round(peak_rss_mb(), 1)
    write_json(folder / MARKER, {**meta, "task": job.task, "task_options": p.model_dump(mode="json"),
                                 "scene": job.scene, "seed": job.seed, "stats": stats, "timings": timings,
                                 "conventions": "docs/generative_data.md"})
    return RunResult(folder, timings, stats)


def finish_dataset(root: Path) -> dict | None:
    """Write the task's root-level indexes over the finished jobs of a dataset root (locked)."""
    from ..dataset.jobs import load_spec, plan_jobs
    from ..dataset.manifest import is_done
    from ..dataset.runners import LOCK_FILE
    from ..io.lock import RunLock

    spec = load_spec(Path(root))
    if spec.task == "frames":
        return None
    task = get_task(spec.task)
    if task.finish is None:
        return None
    p = task_params(spec.task, spec.task_options)
    jobs = [j for j in plan_jobs(spec) if is_done(j)]
    with RunLock(Path(root) / LOCK_FILE, what=f"--out {root}"):
        return task.finish(Path(root), jobs, p)
