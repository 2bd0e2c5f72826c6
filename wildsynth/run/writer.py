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

``StagedOutput`` is how ``wildsynth generate`` writes a whole run: into a
staging folder (``.staging-<pid>-<name>`` beside a new output folder, or
``.staging-<pid>-run`` inside an existing one), moved into place only when
the run succeeded; ``--overwrite`` replaces a previous run only then. Staging
folders of processes that died (``.staging-<pid>...`` with that PID gone) are
removed by ``remove_stale`` at the start of the next run.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Literal

import numpy as np

from ..core.camera import Camera
from ..core.labels import LABELS, palette
from ..io import write_json, write_png
from ..io.cameras import camera_json
from ..io.ids import write_id_png
from ..io.preview import contact_sheet, depth_preview, id_preview, normal_preview
from ..io.preview_motion import disparity_preview, flow_preview, mask_preview
from .captions import view_caption_set, write_caption_files
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


_LEFTOVER = re.compile(r"^\.(?:staging|old)-(\d+)(?:-.*)?$")  # .staging-<pid>[-name], .old-<pid>[-name]
RUN_MARKERS = (MARKER, "frame.json", "objects.json")  # files only a run writes at its root


def _leftover_pid(name: str) -> int | None:
    m = _LEFTOVER.match(name)
    return int(m.group(1)) if m else None


def _pid_alive(pid: int) -> bool:
    from ..io.lock import pid_alive

    return pid_alive(pid)


def remove_stale(folder: Path, name: str | None = None, depth: int = 3) -> list[Path]:
    """Remove staging and trash folders (``.staging-<pid>...``, ``.old-<pid>...``) of processes
    of this host that are gone, in ``folder`` and its sub-folders down to ``depth`` levels
    (a run's view folders are two levels down). With ``name``, only those of the output
    ``name`` (``.staging-<pid>-<name>``) and the plain per-view ones are removed. Returns them."""
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for e in entries:
        if not e.is_dir(follow_symlinks=False):
            continue
        pid = _leftover_pid(e.name)
        if pid is not None:
            mine = name is None or e.name.endswith(f"-{name}") or re.fullmatch(r"\.staging-\d+", e.name)
            if mine and pid != os.getpid() and not _pid_alive(pid):
                shutil.rmtree(e.path, ignore_errors=True)
                removed.append(Path(e.path))
        elif depth > 1 and name is None:
            removed += remove_stale(Path(e.path), None, depth - 1)
    return removed


def _working_file(name: str) -> bool:
    """A run's hidden working file: a staging or trash folder, a lock, an atomic writer's temporary."""
    return _leftover_pid(name) is not None or name.endswith(".lock") or ".tmp-" in name


def _visible(folder: Path) -> list[str]:
    """Entries of ``folder`` besides the hidden working files of runs (staging, trash, locks)."""
    return [n for n in os.listdir(folder) if not _working_file(n)]


def _debris(path: Path, depth: int = 4) -> bool:
    """Whether ``path`` holds nothing but runs' working files and empty folders (what a run killed
    in its first view leaves: ``<camera>/<frame>/.staging-<pid>/``)."""
    if _working_file(path.name):
        return True
    if not path.is_dir() or path.is_symlink() or depth == 0:
        return False
    try:
        return all(_debris(path / n, depth - 1) for n in os.listdir(path))
    except OSError:
        return False


def output_state(folder: Path) -> Literal["absent", "empty", "run", "other"]:
    """What an output folder holds: nothing (absent or empty, runs' working files and folders
    holding only them aside), another run's output (``scene.json``, ``frame.json`` or
    ``objects.json`` at its root, or view folders ``<camera>/<frame>/frame.json``), or other files."""
    if not folder.is_dir():
        return "absent"
    names = [n for n in _visible(folder) if not _debris(folder / n)]
    if not names:
        return "empty"
    if any((folder / n).is_file() for n in RUN_MARKERS):
        return "run"
    for n in names:
        sub = folder / n
        if sub.is_dir() and not sub.is_symlink():
            with contextlib.suppress(OSError):
                if any((sub / f / "frame.json").is_file() for f in os.listdir(sub)):
                    return "run"
    return "other"


def _move_in(src: Path, dst: Path, marker: str = MARKER) -> None:
    """Move every entry of ``src`` into ``dst`` (same file system), ``marker`` last."""
    names = sorted(os.listdir(src), key=lambda n: n == marker)
    for n in names:
        os.replace(src / n, dst / n)


class StagedOutput:
    """``with StagedOutput(out, overwrite) as stage:`` write a whole run into ``stage``; on success
    it becomes ``out``, on any failure it is removed and ``out`` is as it was.

    ``out`` absent: the stage ``.staging-<pid>-<name>`` beside it is renamed to ``out``
    (atomic). ``out`` an existing folder (empty, or with ``overwrite`` another run's output):
    the stage ``.staging-<pid>-run`` is inside it (same file system, mount points too);
    on success the old entries are moved to ``.old-<pid>`` inside ``out``, ``scene.json``
    first (so the folder never looks complete with a mix), the new ones moved in,
    ``scene.json`` last, and the old ones deleted. The old run is therefore replaced only
    after the new one succeeded, and both need room on the disk until then. The caller
    checked ``output_state`` (and holds the output's lock). The stage itself is not
    created here: the run creates it when it first writes.
    """

    def __init__(self, out: Path, overwrite: bool = False):
        self.out = Path(os.path.abspath(out))
        self.overwrite = overwrite
        self.existed = self.out.is_dir()
        pid = os.getpid()
        self.stage = (self.out / f".staging-{pid}-run" if self.existed
                      else self.out.parent / f".staging-{pid}-{self.out.name}")

    def __enter__(self) -> Path:
        shutil.rmtree(self.stage, ignore_errors=True)
        return self.stage

    def __exit__(self, t, e, tb) -> None:
        if t is not None:
            shutil.rmtree(self.stage, ignore_errors=True)
            return
        try:
            self.commit()
        except BaseException:
            shutil.rmtree(self.stage, ignore_errors=True)
            raise

    def commit(self) -> None:
        if not self.stage.is_dir():  # a run that wrote nothing
            self.stage.mkdir(parents=True)
        if not self.existed:
            os.rename(self.stage, self.out)
            return
        old = self.out / f".old-{os.getpid()}"
        present = _visible(self.out)
        if present:
            old.mkdir(exist_ok=True)
            for n in sorted(present, key=lambda n: n != MARKER):  # the old marker first
                os.replace(self.out / n, old / n)
        _move_in(self.stage, self.out)
        self.stage.rmdir()
        shutil.rmtree(old, ignore_errors=True)


def _flow_previews(folder: Path, key: str, c) -> list[str]:
    write_png(folder / f"flow_{key}_valid.png", (c.valid * 255).astype(np.uint8))
    write_png(folder / f"flow_{key}_preview.png", flow_preview(c.flow, c.valid))
    return [f"flow_{key}_valid.png", f"flow_{key}_preview.png"]


def write_view(folder: Path, p: ViewProducts, formats: tuple[str, ...], frame: int, t: float, name: str,
               baseline: float | None, captions: dict | None = None) -> list[str]:
    """All files of one view, staged and moved into place; ``frame.json`` goes last. With
    ``captions`` (``gt.captions.caption_context``) the view's captions too."""
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
                "boxes_2d": p.boxes_2d, "boxes_3d": p.boxes_3d, "film": p.rgb.film}  # film: exposure, lens
        if p.disparity is not None:
            write_png(stage / "disparity_valid.png", (p.disparity_valid * 255).astype(np.uint8))
            names.append("disparity_valid.png")
            tiles.append(("disparity", disparity_preview(p.disparity, p.disparity_valid)))
            meta["stereo"] = {"baseline_m": baseline, "view": name, "other_camera": camera_json(p.other_camera)}
        for f in formats:
            if FORMATS[f].view is not None:
                names += FORMATS[f].view(stage, p)
        if captions is not None:
            names += write_caption_files(stage, view_caption_set(captions, p.semantic, name, frame))
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
