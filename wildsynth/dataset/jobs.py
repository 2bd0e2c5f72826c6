"""What a dataset is (``DatasetSpec``) and the jobs it plans (one run each).

A job is one run of the pipeline (``wildsynth.run``) with the dataset's
``options``: a still (the default), or a whole shot -- a sequence, a stereo
pair, a multiview ring, or any mix of them -- written into the job's folder
and resumed as a unit (done only when the folder holds ``scene.json``).

Job ``i`` of a dataset has seed ``seed + i``. Its scene is drawn from the
scene mix with the job's own seed tree
(``SeedTree(seed).child("dataset").child("scene")``), so it depends only on
the seed and the mix: growing ``count`` appends jobs and never changes the
ones already planned. The pipeline builds the scene from
``SeedTree(seed).child("scene")``, a different branch, so the draw does not
disturb it.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from ..core.seeds import SeedTree
from ..params import UserError, apply_overrides
from ..render.settings import RenderSettings
from ..run import RunOptions
from ..scenes import SCENES
from ..scenes import get as get_scene

SPEC_FILE = "dataset.json"


class DatasetSpec(BaseModel):
    """One dataset: which scenes, which seeds, which parameters and render settings, where."""

    model_config = ConfigDict(extra="forbid")

    scenes: dict[str, float] = Field(
        default_factory=lambda: {"meadow": 1.0},
        description="scene mix: scene name -> relative weight (> 0, finite); names from `wildsynth scenes`")
    seed: int = Field(0, ge=0, le=2**31 - 1, description="seed of the first job; job i has seed seed + i")
    count: int = Field(1, ge=1, le=10_000_000, description="number of jobs (each a still or a whole shot)")
    overrides: dict[str, list[str]] = Field(
        default_factory=dict,
        description="per-scene parameter overrides: scene name -> list of key=value (the CLI's --set syntax)")
    render: RenderSettings = Field(default_factory=RenderSettings, description="render settings of every job")
    options: RunOptions = Field(default_factory=RunOptions,
                                description="what every job makes: the shot (frames, rig, trajectory), the moving "
                                            "things and the formats; the default is a still")
    out: Path = Field(Path("out/dataset"), description="output root: job folders, manifest.jsonl, dataset.json")
    task: str = Field("frames", description="what each job makes: frames (a run), or a task of wildsynth.tasks "
                                            "(pairs, nvs, clips, objects, world; docs/generative_data.md)")
    task_options: dict = Field(default_factory=dict, description="the task's parameters (its pydantic model)")

    @field_validator("task")
    @classmethod
    def _known_task(cls, v: str) -> str:
        if v != "frames":
            from ..tasks import get_task

            get_task(v)
        return v

    @field_validator("task_options")
    @classmethod
    def _task_options(cls, v: dict, info: ValidationInfo) -> dict:
        task = info.data.get("task", "frames")
        if task == "frames" or task is None:
            if v:
                raise ValueError(f"--task-option {v!r}: given without --task (frames take no task options)")
            return v
        from ..tasks.base import task_params

        return task_params(task, v).model_dump(mode="json")  # stored complete: a resume compares equal

    @field_validator("scenes")
    @classmethod
    def _known_scenes(cls, v: dict[str, float]) -> dict[str, float]:
        if not v:
            raise ValueError(f"empty scene mix; give at least one of {', '.join(sorted(SCENES))}")
        for name, w in v.items():
            if name not in SCENES:
                raise ValueError(f"unknown scene {name!r}; known scenes: {', '.join(sorted(SCENES))}")
            if not (isinstance(w, (int, float)) and math.isfinite(w) and w > 0):
                raise ValueError(f"weight of {name!r} is {w!r}; must be a finite number > 0")
        return v

    @field_validator("overrides")
    @classmethod
    def _valid_overrides(cls, v: dict[str, list[str]], info: ValidationInfo) -> dict[str, list[str]]:
        mix = info.data.get("scenes") or {}
        for name, items in v.items():
            if name not in mix:
                raise ValueError(f"overrides for {name!r}, which is not in the scene mix ({', '.join(mix)})")
            apply_overrides(get_scene(name).params, items, what=name)
        return v

    def params(self, scene: str):
        """The validated parameter model of ``scene`` with its overrides applied."""
        return apply_overrides(get_scene(scene).params, self.overrides.get(scene, []), what=scene)


def make_spec(**fields) -> DatasetSpec:
    """``DatasetSpec(**fields)`` with pydantic's error turned into a one-line ``UserError``."""
    try:
        return DatasetSpec(**fields)
    except ValidationError as e:
        x = e.errors()[0]
        msg = x["msg"].removeprefix("Value error, ")
        if msg.startswith(("--set", "--task")):  # apply_overrides and the tasks already name the parameter
            raise UserError(msg) from None
        loc = [str(p) for p in x["loc"]]
        where = f"--{loc[0]}" if loc and loc[0] in ("scenes", "seed", "count", "out") else ".".join(loc)
        raise UserError(f"{where} {x.get('input')!r}: {msg}") from None


@dataclass(frozen=True)
class Job:
    """One run of the dataset (a still or a whole shot). ``id`` is also the folder under the output root."""

    id: str
    scene: str
    seed: int
    folder: Path


def job_id(scene: str, seed: int) -> str:
    return f"{scene}/{seed:06d}"


def scene_for_seed(seed: int, mix: dict[str, float]) -> str:
    """The scene of the job with this seed: a weighted draw from the job's own seed tree."""
    names = sorted(mix)  # order-free: the same mix written in another order draws the same scenes
    total = sum(mix[n] for n in names)
    u = SeedTree(seed).child("dataset").child("scene").rng().random() * total
    acc = 0.0
    for name in names:
        acc += mix[name]
        if u < acc:
            return name
    return names[-1]


def plan_jobs(spec: DatasetSpec) -> list[Job]:
    """Every job of the dataset, in seed order (deterministic)."""
    jobs = []
    sceneless = spec.task != "frames" and not _task_uses_scene(spec.task)
    for seed in range(spec.seed, spec.seed + spec.count):
        scene = spec.task if sceneless else scene_for_seed(seed, spec.scenes)
        jid = job_id(scene, seed)
        jobs.append(Job(jid, scene, seed, Path(spec.out) / jid))
    return jobs


def _task_uses_scene(task: str) -> bool:
    from ..tasks import get_task

    return get_task(task).uses_scene


def parse_mix(text: str) -> dict[str, float]:
    """``"forest:1,meadow:2"`` (a bare name weighs 1) -> ``{"forest": 1.0, "meadow": 2.0}``."""
    mix: dict[str, float] = {}
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        name, _, weight = part.partition(":")
        try:
            w = float(weight) if weight else 1.0
        except ValueError:
            raise UserError(f"--scenes {text!r}: weight {weight!r} of {name!r} is not a number; "
                            "expected NAME[:WEIGHT],... e.g. forest:1,meadow:2") from None
        mix[name.strip()] = w
    if not mix:
        raise UserError(f"--scenes {text!r}: expected NAME[:WEIGHT],... e.g. forest:1,meadow:2")
    return mix


def split_overrides(items: list[str], mix: dict[str, float]) -> dict[str, list[str]]:
    """CLI ``--set`` values -> per-scene lists. ``SCENE:key=value`` targets one scene of
    the mix; a plain ``key=value`` goes to every scene of the mix."""
    out: dict[str, list[str]] = {}
    for item in items:
        head, eq, _ = item.partition("=")
        scene, colon, key = head.partition(":")
        if eq and colon and "." not in scene:
            if scene not in mix:
                raise UserError(f"--set {item!r}: scene {scene!r} is not in --scenes ({', '.join(mix)})")
            out.setdefault(scene, []).append(item.split(":", 1)[1])
        else:
            for name in mix:
                out.setdefault(name, []).append(item)
    return out


def read_spec_file(path: Path) -> dict:
    """The JSON object in a ``dataset.json``; a file that does not parse is a one-line ``UserError``
    naming it (a hand edit gone wrong, a disk that filled mid-write before writes were atomic)."""
    from ..io import read_json

    try:
        data = read_json(path)
    except json.JSONDecodeError as e:
        raise UserError(f"{path}: not valid JSON ({e.msg} at line {e.lineno} column {e.colno}); "
                        "fix or remove it (it holds the dataset's options)") from None
    except UnicodeDecodeError:
        raise UserError(f"{path}: not a text file; fix or remove it (it holds the dataset's options)") from None
    except OSError as e:
        raise UserError(f"{path}: cannot read it ({e.strerror or e})") from None
    if not isinstance(data, dict):
        raise UserError(f"{path}: holds a JSON {type(data).__name__}, not the object of a dataset spec")
    return data


def load_spec(root: Path) -> DatasetSpec:
    """The spec a dataset root was generated with (``dataset.json``)."""
    path = Path(root) / SPEC_FILE
    if not Path(root).is_dir():
        raise UserError(f"{root}: no such folder; give a dataset root written by `wildsynth dataset generate`")
    if not path.is_file():
        raise UserError(f"{root}: no {SPEC_FILE}; not a dataset root written by `wildsynth dataset generate`")
    data = read_spec_file(path)
    data["out"] = str(root)
    try:
        return make_spec(**data)
    except UserError as e:
        raise UserError(f"{path}: {e}") from None


# may differ between runs on one root: how many jobs, and where Cycles renders (the ground truth is the same)
_MAY_CHANGE = ("count", "render.device")


def _leaves(d: dict, prefix: str = "") -> dict[str, object]:
    out: dict[str, object] = {}
    for k, v in d.items():
        if isinstance(v, dict) and v:
            out.update(_leaves(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


def _comparable(data: dict) -> dict[str, object]:
    """A saved spec as leaf paths, with the defaults of this version filled in (a spec saved
    before a field existed compares equal to one with that field's default)."""
    data = {k: v for k, v in data.items() if k != "out"}
    try:
        data = DatasetSpec(**data).model_dump(mode="json", exclude={"out"})
    except (ValidationError, UserError):
        pass
    leaves = _leaves(data)
    return {k: v for k, v in leaves.items() if k not in _MAY_CHANGE}


def check_spec(spec: DatasetSpec) -> None:
    """Refuse (one-line ``UserError``) a root whose ``dataset.json`` holds a different dataset,
    or one that does not parse. Reads only.

    Only ``count`` (more jobs of the same dataset, or fewer) and the render device
    may change between runs on one root: anything else -- the scene mix, seed,
    overrides, render settings or the run options (shot, motion, formats) -- would
    mix jobs of two datasets. The error names the differing fields.
    """
    root = Path(spec.out)
    path = root / SPEC_FILE
    if not path.is_file():
        return
    saved = read_spec_file(path)
    try:
        make_spec(**{**saved, "out": str(root)})
    except UserError as e:
        raise UserError(f"{path}: {e}") from None
    a, b = _comparable(spec.model_dump(mode="json", exclude={"out"})), _comparable(saved)
    diff = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
    if diff:
        shown = ", ".join(diff[:4]) + (f" and {len(diff) - 4} more" if len(diff) > 4 else "")
        raise UserError(f"--out {root}: holds a dataset with different {shown} "
                        f"(see {path}); use another --out, or the same options to resume")


def save_spec(spec: DatasetSpec) -> None:
    """Write ``dataset.json`` (atomically) after ``check_spec``."""
    from ..io import write_json

    check_spec(spec)
    root = Path(spec.out)
    root.mkdir(parents=True, exist_ok=True)
    write_json(root / SPEC_FILE, spec.model_dump(mode="json", exclude={"out"}))
