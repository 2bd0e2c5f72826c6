"""The one output layout, for a single frame and for any shot.

One view (a still: one camera, one frame) is written flat into the output
folder; a shot with several views writes one folder per view,
``<camera>/<frame:06d>/``. A view folder holds the same files either way
(README, "What a frame folder holds"; docs/ground_truth.md), its
``frame.json`` last. The run's root holds ``objects.json``, the run-level
files of the formats (``transforms.json``, ``colmap/``, ``panoptic_*.json``)
and ``scene.json``, written last of all: a folder with ``scene.json`` is
complete.

Every view is written into a staging folder and moved into place, so a killed
run never leaves a view that looks complete.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np

from ..core.camera import Camera
from ..core.labels import LABELS, palette
from ..io import write_json, write_png
from ..io.cameras import camera_json
from ..io.ids import write_id_png
from ..io.preview import contact_sheet, depth_preview, id_preview, normal_preview
from ..io.preview_motion import disparity_preview, flow_preview, mask_preview
from .formats import FORMATS
from .products import ViewProducts

MARKER = "scene.json"  # written last: a folder holding it is complete


def class_table() -> list[dict]:
    return [{"id": lab.id, "name": lab.name, "isthing": lab.isthing} for lab in LABELS]


@dataclass
class WrittenView:
    """What the run-level writers need of a written view."""

    camera_name: str
    frame: int
    rel: str  # folder relative to the run root, "" or ending in "/"
    camera: Camera
    width: int
    height: int
    segments_info: list


def view_folder(flat: bool, camera: str, frame: int) -> str:
    return "" if flat else f"{camera}/{frame:06d}/"


@contextlib.contextmanager
def staging(folder: Path) -> Iterator[Path]:
    """A fresh staging folder inside ``folder``; removed afterwards (move files out before leaving)."""
    folder.mkdir(parents=True, exist_ok=True)
    stage = folder / f".staging-{os.getpid()}"
    if stage.exists():
        shutil.rmtree(stage)
    stage.mkdir()
    try:
        yield stage
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _flow_previews(folder: Path, key: str, c) -> list[str]:
    write_png(folder / f"flow_{key}_valid.png", (c.valid * 255).astype(np.uint8))
    write_png(folder / f"flow_{key}_preview.png", flow_preview(c.flow, c.valid))
    return [f"flow_{key}_valid.png", f"flow_{key}_preview.png"]


def write_view(folder: Path, p: ViewProducts, formats: tuple[str, ...], frame: int, t: float, name: str,
               baseline: float | None) -> list[str]:
    """All files of one view, staged and moved into place; ``frame.json`` goes last."""
    with staging(folder) as stage:
        g = p.passes
        names = ["image.png", "depth_preview.png", "normal_preview.png", "instance.png", "semantic.png",
                 "boundaries.png", "camera.json"]
        write_png(stage / "image.png", p.rgb.display)
        write_png(stage / "depth_preview.png", depth_preview(g.depth))
        write_png(stage / "normal_preview.png", normal_preview(p.normal))
        write_id_png(stage / "instance.png", g.instance)
        sem = p.semantic
        write_png(stage / "semantic.png", sem.astype(np.uint8) if sem.max(initial=0) < 256 else sem.astype(np.uint16))
        write_png(stage / "boundaries.png", (p.boundaries * 255).astype(np.uint8))
        write_json(stage / "camera.json", camera_json(p.camera))
        tiles = [("RGB", p.rgb.display), ("depth", depth_preview(g.depth)), ("normals", normal_preview(p.normal)),
                 ("semantic", id_preview(p.semantic, palette())), ("instances", id_preview(g.instance))]
        for key, c in (("fwd", p.fwd), ("bwd", p.bwd)):
            if c is not None:
                names += _flow_previews(stage, key, c)
                tiles.append((f"flow {key}", flow_preview(c.flow, c.valid)))
        if p.fwd is not None:
            tiles.append(("fwd visible", mask_preview(p.fwd.valid)))
        tiles.append(("boundaries", mask_preview(p.boundaries)))
        meta = {"frame": frame, "time": t, "camera_name": name, "camera": camera_json(p.camera),
                "boxes_2d": p.boxes_2d, "boxes_3d": p.boxes_3d}
        if p.disparity is not None:
            write_png(stage / "disparity_valid.png", (p.disparity_valid * 255).astype(np.uint8))
            names.append("disparity_valid.png")
            tiles.append(("disparity", disparity_preview(p.disparity, p.disparity_valid)))
            meta["stereo"] = {"baseline_m": baseline, "view": name, "other_camera": camera_json(p.other_camera)}
        for f in formats:
            if FORMATS[f].view is not None:
                names += FORMATS[f].view(stage, p)
        write_png(stage / "preview.png", contact_sheet(tiles, columns=5, max_tile_width=480 if len(tiles) <= 6
                                                        else 320))
        names.append("preview.png")
        meta["files"] = sorted(names) + ["frame.json"]
        write_json(stage / "frame.json", meta)
        names.append("frame.json")
        for n in names:  # frame.json last: its presence marks a complete view
            os.replace(stage / n, folder / n)
    return names


def write_run_files(out: Path, views: list[WrittenView], formats: tuple[str, ...], categories) -> list[str]:
    """The formats' run-level files (NeRF, COLMAP, COCO JSON), staged and moved into place."""
    names = []
    with staging(out) as stage:
        for f in formats:
            if FORMATS[f].run is not None:
                names += FORMATS[f].run(stage, views, categories)
        for n in names:
            dst = out / n
            if dst.is_dir():
                shutil.rmtree(dst)
            os.replace(stage / n, dst)
    return names
