"""Finished wildsynth output, read back for re-laying it out: runs, their views and each view's arrays.

A *run* is a folder holding ``scene.json`` (written last, so the run is
complete): a still written flat, or a shot with ``<camera>/<frame:06d>/``
view folders. A *dataset root* holds ``dataset.json``; its finished jobs
(``scene.json`` present, ``dataset/manifest.py``) are its runs, named by
their shard key (``meadow_000042``).

Arrays come from the project's own readers (``wildsynth/io``), whichever
format the run wrote: EXR first (lossless float32), then PFM, then ``.flo``.
Conventions are ours (docs/ground_truth.md): depth ``inf`` on sky, flow NaN
where it is undefined (the point is behind the other camera), disparity 0 on
sky; a layout turns them into its own.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..core.camera import Camera
from ..io import read_png
from ..io.exr import read_exr
from ..io.flo import read_flo
from ..io.ids import read_id_png
from ..io.pfm import read_pfm
from ..params import UserError

MARKER = "scene.json"
SPEC = "dataset.json"


def _exr(path: Path, *names: str) -> np.ndarray:
    c = read_exr(path, separate=True)
    missing = [n for n in names if n not in c]
    if missing:
        raise ValueError(f"{path}: no channel {missing[0]!r} (has {', '.join(sorted(c))})")
    return c[names[0]] if len(names) == 1 else np.stack([c[n] for n in names], axis=-1)


@dataclass(frozen=True)
class View:
    """One camera at one frame of a run: its folder and readers of its files."""

    folder: Path
    camera_name: str
    frame: int

    def path(self, name: str) -> Path:
        return self.folder / name

    def has(self, name: str) -> bool:
        return (self.folder / name).is_file()

    def need(self, *names: str) -> Path:
        """The first of these files the view holds, or a one-line error naming what to generate."""
        for n in names:
            if self.has(n):
                return self.folder / n
        raise UserError(f"{self.folder}: needs {' or '.join(names)}, which this run did not write; "
                        "generate it with the formats that hold it (e.g. --formats exr)")

    @property
    def image(self) -> Path:
        return self.need("image.png")

    def camera(self) -> Camera:
        d = json.loads(self.need("camera.json").read_text())
        return Camera(np.asarray(d["K"], float), np.asarray(d["cam_to_world"], float), int(d["width"]),
                      int(d["height"]))

    def rgb(self) -> np.ndarray:
        return read_png(self.image)[..., :3]

    def depth(self) -> np.ndarray:
        """z-depth in metres, float32 (H, W), inf on sky."""
        p = self.need("depth.exr", "depth.pfm")
        return _exr(p, "Z") if p.suffix == ".exr" else read_pfm(p)

    def instance(self) -> np.ndarray:
        return read_id_png(self.need("instance.png"))

    def has_flow(self, key: str) -> bool:
        return self.has(f"flow_{key}_valid.png")

    def flow(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        """(flow float32 (H, W, 2) with NaN where undefined, visible bool (H, W)) towards t+1 (fwd) or t-1 (bwd)."""
        p = self.need(f"flow_{key}.exr", f"flow_{key}.pfm", f"flow_{key}.flo")
        if p.suffix == ".exr":
            f = _exr(p, "U", "V")
        elif p.suffix == ".pfm":
            f = read_pfm(p)[..., :2]
        else:
            f = read_flo(p)[0]
        return f.astype(np.float32), read_png(self.need(f"flow_{key}_valid.png")) > 0

    def depth_change(self, key: str) -> np.ndarray | None:
        """z of each pixel's point in the other frame's camera minus its z here (0 on sky), if written."""
        if not self.has(f"scene_flow_{key}.exr"):
            return None
        return _exr(self.path(f"scene_flow_{key}.exr"), "depth_change")

    def has_disparity(self) -> bool:
        return self.has("disparity_valid.png")

    def disparity(self) -> tuple[np.ndarray, np.ndarray]:
        """(disparity float32 (H, W) in pixels, 0 on sky; visible-in-the-other-view bool (H, W))."""
        p = self.need("disparity.exr", "disparity.pfm")
        d = _exr(p, "D") if p.suffix == ".exr" else read_pfm(p)
        d = np.where(np.isfinite(d), d, 0.0).astype(np.float32)
        return d, read_png(self.need("disparity_valid.png")) > 0


@dataclass
class Run:
    """A finished run: a still (flat) or a shot of ``cameras`` x ``frames`` views."""

    root: Path
    name: str
    meta: dict
    cameras: list[str]
    frames: list[int]
    flat: bool
    rig: str
    _objects: dict | None = field(default=None, repr=False)

    @property
    def stereo(self) -> bool:
        return self.rig == "stereo" and {"left", "right"} <= set(self.cameras)

    def view(self, camera: str, frame: int) -> View:
        folder = self.root if self.flat else self.root / camera / f"{frame:06d}"
        return View(folder, camera, frame)

    def views(self, camera: str) -> list[View]:
        return [self.view(camera, f) for f in self.frames]

    def baseline(self) -> float | None:
        """The stereo baseline in metres, from a left view's ``frame.json``."""
        meta = json.loads(self.view(self.cameras[0], self.frames[0]).need("frame.json").read_text())
        return (meta.get("stereo") or {}).get("baseline_m")

    def moving_ids(self) -> np.ndarray:
        """Instance ids that move during the shot (``objects.json`` ``motions``), sorted."""
        if self._objects is None:
            p = self.root / "objects.json"
            self._objects = json.loads(p.read_text()) if p.is_file() else {}
        ids = {int(i) for m in self._objects.get("motions", []) for i in m.get("ids", [])}
        return np.array(sorted(ids), dtype=np.int64)


def _safe(name: str) -> str:
    """A name usable as a folder, a COLMAP image name and a WebDataset-like key: letters, digits, _ and -."""
    return re.sub(r"[^A-Za-z0-9_-]+", "_", name).strip("_") or "run"


def open_run(root: Path, name: str | None = None) -> Run:
    """The run in ``root`` (a one-line ``UserError`` if it is not a finished run)."""
    root = Path(root)
    marker = root / MARKER
    if not marker.is_file():
        raise UserError(f"{root}: no {MARKER}; not a finished wildsynth run (or dataset root with {SPEC})")
    meta = json.loads(marker.read_text())
    shot = meta.get("shot") or {}
    flat = (root / "frame.json").is_file()
    if flat:
        frame = json.loads((root / "frame.json").read_text())
        cameras, frames = [frame.get("camera_name", "main")], [int(frame.get("frame", 0))]
    else:
        cameras = [c for c in shot.get("cameras", []) if (root / c).is_dir()]
        if not cameras:
            raise UserError(f"{root}: {MARKER} names no camera folder that exists")
        frames = sorted(int(p.name) for p in (root / cameras[0]).iterdir()
                        if p.name.isdigit() and (p / "frame.json").is_file())
    return Run(root, _safe(name or root.resolve().name), meta, cameras, frames, flat, str(shot.get("rig", "mono")))


def find_runs(src: Path) -> list[Run]:
    """The runs of ``src``: itself when it is a finished run, the finished jobs of a dataset root."""
    src = Path(src)
    if not src.is_dir():
        raise UserError(f"{src}: no such folder; give a finished run or a dataset root")
    if (src / MARKER).is_file():
        return [open_run(src)]
    if (src / SPEC).is_file():
        from ..dataset.jobs import load_spec, plan_jobs
        from ..dataset.manifest import is_done

        jobs = [j for j in plan_jobs(load_spec(src)) if is_done(j)]
        if not jobs:
            raise UserError(f"{src}: a dataset root with no finished job yet")
        return [open_run(j.folder, j.id.replace("/", "_")) for j in jobs]
    raise UserError(f"{src}: neither a finished run ({MARKER}) nor a dataset root ({SPEC})")
