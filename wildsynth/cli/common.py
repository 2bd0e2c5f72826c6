"""What every ``wildsynth`` command shares: the stderr console, one-line
failures (exit code 2), ``--resolution`` and shot-flag parsing, the output
folder check and the progress reporter. Sub-command modules import it, never
the app that registers them."""

from __future__ import annotations

import contextlib
import os
import re
import typing
from pathlib import Path
from typing import Iterator, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from ..params import UserError

err = Console(stderr=True)


def fail(message: str) -> None:
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


def parse_resolution(text: str) -> tuple[int, int]:
    m = re.fullmatch(r"\s*(\d+)\s*[xX]\s*(\d+)\s*", text)
    if not m or int(m.group(1)) < 8 or int(m.group(2)) < 8 or int(m.group(1)) > 16384 or int(m.group(2)) > 16384:
        raise UserError(f"--resolution {text!r}: expected WIDTHxHEIGHT with each between 8 and 16384, e.g. 1280x720")
    return int(m.group(1)), int(m.group(2))


def check_output_dir(out: Path) -> None:
    """An output folder that can be written: not a file, and its nearest existing parent writable."""
    if out.exists() and not out.is_dir():
        raise UserError(f"--out {out}: exists and is not a folder; choose a folder path")
    parent = out.parent if not out.exists() else out
    while not parent.exists():
        parent = parent.parent
    if not os.access(parent, os.W_OK):
        raise UserError(f"--out {out}: {parent} is not writable")


def progress_columns() -> tuple:
    return (SpinnerColumn(), TextColumn("{task.description:<14}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
            TimeElapsedColumn())


class RichReporter:
    """Stage names with a spinner, and a bar for the render (a still) or the frames (a shot)."""

    def __init__(self, progress: Progress):
        self.progress = progress
        self.render_task = None
        self.seen: set[str] = set()

    @contextlib.contextmanager
    def stage(self, name: str) -> Iterator[None]:
        label = name.replace("_", " ")
        if name in self.seen:  # a stage repeated per frame of a shot: one line, not one per call
            yield
            return
        self.seen.add(name)
        if name in ("render_rgb", "ground_truth") and self.render_task is None:
            self.render_task = self.progress.add_task("render", total=1.0)
        task = self.progress.add_task(label, total=None)
        yield
        self.progress.update(task, total=1.0, completed=1.0)

    def render_progress(self, fraction: float) -> None:
        if self.render_task is not None:
            self.progress.update(self.render_task, completed=fraction)

    def finish(self) -> None:
        if self.render_task is not None:
            self.progress.update(self.render_task, completed=1.0)


def choices(model: type, field: str) -> tuple[str, ...]:
    """The allowed values of a Literal field of a pydantic model (the CLI never repeats them)."""
    return tuple(typing.get_args(model.model_fields[field].annotation))


def _shot_choices() -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    from ..camera.shot import ShotOptions
    from ..camera.trajectories import TrajectoryParams
    from ..render.settings import RenderSettings

    return choices(TrajectoryParams, "kind"), choices(ShotOptions, "rig"), choices(RenderSettings, "device")


def check_device(device: str) -> str:
    devices = _shot_choices()[2]
    if device not in devices:
        raise UserError(f"--device {device!r}: choose one of {', '.join(devices)}")
    return device


def run_options(frames: int, fps: float, trajectory: Optional[str], speed: Optional[float], rig: Optional[str],
                baseline: float, views: int, formats: Optional[str], motion: Optional[list[str]]):
    """The shot flags of ``generate`` and ``dataset generate`` as ``RunOptions``; one-line errors name the flag."""
    from pydantic import ValidationError

    from ..generators.motion import MotionParams
    from ..params import apply_overrides
    from ..run import FORMATS, RunOptions

    if frames < 1:
        raise UserError(f"--frames {frames}: must be at least 1")
    if not fps > 0:
        raise UserError(f"--fps {fps}: must be > 0")
    trajectories, rigs, _ = _shot_choices()
    if trajectory is not None and trajectory not in trajectories:
        raise UserError(f"--trajectory {trajectory!r}: choose one of {', '.join(trajectories)}")
    if rig is not None and rig not in rigs:
        raise UserError(f"--rig {rig!r}: choose one of {', '.join(rigs)}")
    if not baseline > 0:
        raise UserError(f"--baseline {baseline}: must be > 0 metres")
    if views < 1:
        raise UserError(f"--views {views}: must be at least 1")
    fmts = tuple(FORMATS)
    if formats is not None:
        fmts = tuple(f.strip().lower() for f in formats.split(",") if f.strip())
        bad = [f for f in fmts if f not in FORMATS and f != "png"]
        if bad:
            raise UserError(f"--formats {formats!r}: unknown {', '.join(bad)}; allowed: {', '.join(FORMATS)} "
                            "(PNG previews and JSON are always written)")
        fmts = tuple(f for f in fmts if f != "png")
    traj = {"kind": trajectory or ("walk" if frames > 1 else "static")}
    if speed is not None:
        traj["speed"] = speed
    motion_params = apply_overrides(MotionParams, motion or [], what="motion", flag="--motion", listing=None)
    try:
        return RunOptions(shot={"frames": frames, "fps": fps, "rig": rig or "mono", "baseline": baseline,
                                "views": views, "trajectory": traj}, motion=motion_params, formats=fmts)
    except ValidationError as e:
        x = e.errors()[0]
        flag = {"speed": "--speed"}.get(str(x["loc"][-1]), "--" + ".".join(str(p) for p in x["loc"][1:]))
        raise UserError(f"{flag} {x.get('input')!r}: {x['msg']}") from None
