"""What ``wildsynth view PATH`` shows: the runs under PATH, and which of their cameras and frames.

PATH may be a finished run (``scene.json``), a dataset root (``dataset.json``,
its finished jobs), one camera folder of a shot (``<run>/<camera>/``) or one
view folder (``<run>/<camera>/<frame:06d>/``, holding ``frame.json``). The
runs come from ``layouts.source`` (the readers the layout exporters use).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..layouts.source import MARKER, SPEC, Run, find_runs, open_run
from ..params import UserError


@dataclass
class Selection:
    """One run and the cameras and frames of it to show."""

    run: Run
    cameras: list[str]
    frames: list[int]


def select(path: Path, max_runs: int | None = None) -> list[Selection]:
    """The selections PATH names (module docstring); a one-line ``UserError`` if PATH is no wildsynth output."""
    path = Path(path)
    if not path.exists():
        raise UserError(f"{path}: no such file or folder; give a wildsynth run, dataset root, camera or frame folder")
    if not path.is_dir():
        raise UserError(f"{path}: not a folder; give a wildsynth run ({MARKER}), dataset root ({SPEC}), "
                        "camera or frame folder")
    if (path / MARKER).is_file() or (path / SPEC).is_file():
        runs = find_runs(path)
        if max_runs is not None and len(runs) > max_runs:
            runs = runs[:max_runs]
        return [Selection(r, list(r.cameras), list(r.frames)) for r in runs]
    if (path / "frame.json").is_file() and path.name.isdigit() and (path.parent.parent / MARKER).is_file():
        run = open_run(path.parent.parent)
        return [Selection(run, [path.parent.name], [int(path.name)])]
    if (path.parent / MARKER).is_file():
        run = open_run(path.parent)
        if path.name in run.cameras:
            return [Selection(run, [path.name], list(run.frames))]
    raise UserError(f"{path}: not a wildsynth output (no {MARKER} or {SPEC} here, and not a camera or frame "
                    "folder of a run)")
