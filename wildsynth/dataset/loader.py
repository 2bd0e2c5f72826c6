"""Read WebDataset shards of wildsynth jobs back as numpy arrays and parsed JSON.

``iter_samples(paths)`` is a plain-Python iterator; ``ShardDataset`` wraps it
as a ``torch.utils.data.IterableDataset`` that gives each DataLoader worker
(and each distributed rank) its own shards, so every sample comes out exactly
once per epoch. torch is optional: it is imported when ``ShardDataset`` is
first used.

One sample per job. Members are decoded with the project's readers
(``wildsynth.io``), which read from paths: each member is written to a
temporary folder (in ``/dev/shm`` where there is one) and read from there.

A still's view fields sit at the top of the sample; a shot's are nested,
``sample["views"][camera][frame][field]`` (``frame`` an int, the output frame
index), with ``sample["cameras"]`` and ``sample["frames"]`` listing them in
order. The job's root files sit at the top either way. View fields (present
when the view holds the file):

=====================  ==============================================================
``rgb``                uint8 (H, W, 3), ``image.png``
``rgb_linear``         float32 (H, W, 3), ``image.exr``
``depth``              float32 (H, W), metres, ``inf`` for sky
``normal``             float32 (H, W, 3), camera (OpenCV) axes
``instance``           uint32 (H, W), 0 = sky; ``semantic`` uint32 (H, W), ``core/labels.py``
``panoptic``           uint32 (H, W) COCO panoptic segment ids (``panoptic.png``)
``boundaries``         bool (H, W), occlusion boundaries
``flow_fwd``           float32 (H, W, 2), (du, dv) pixels to frame t+1 (``flow_fwd.exr``);
                       ``flow_bwd`` to t-1; ``flow_fwd_valid`` bool (H, W)
``scene_flow_fwd``     float32 (H, W, 3), metres in camera-t axes; ``depth_change_fwd`` (H, W)
``disparity``          float32 (H, W), pixels, stereo; ``disparity_valid`` bool (H, W)
``*_pfm``, ``*_flo``   the same quantities from the other formats, as their readers return
                       them (``depth_pfm``, ``flow_fwd_flo`` = (flow, valid), ...);
                       ``flow_fwd_kitti``, ``disparity_kitti`` = (values, valid)
``K``, ``cam_to_world``  float64 (3, 3), (4, 4), OpenCV axes, from ``camera.json``
``camera``, ``frame``  the parsed ``camera.json`` and ``frame.json``
``preview`` ...        uint8 previews (``preview``, ``depth_preview``, ``flow_fwd_preview``, ...)
=====================  ==============================================================

Root fields: ``key`` (shard key ``meadow_000042``), ``id`` (job id
``meadow/000042``), ``scene``, ``objects``, ``transforms``,
``panoptic_<camera>`` (parsed JSON), ``colmap`` (file name -> text).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional, Sequence

import numpy as np
import webdataset as wds

from ..io import read_png
from ..io.coco import read_panoptic_png
from ..io.exr import read_exr, read_exr_image
from ..io.flo import read_flo
from ..io.ids import read_id_png
from ..io.kitti import read_disparity_kitti, read_flow_kitti
from ..io.pfm import read_pfm
from .jobs import job_id
from .shards import VIEW_MEMBER


def _channels(*names: str) -> Callable[[Path], np.ndarray]:
    """Reader of these EXR channels as one float32 array: (H, W) for one, (H, W, C) for several."""

    def read(path: Path) -> np.ndarray:
        c = read_exr(path, separate=True)
        return c[names[0]] if len(names) == 1 else np.stack([c[n] for n in names], axis=-1)

    return read


read_xyz = _channels("X", "Y", "Z")  # normal.exr as one float32 (H, W, 3) array


def _mask(path: Path) -> np.ndarray:
    return read_png(path) > 0


# file of a view -> [(field, reader of a path)]; other files: field and reader from the name (``_generic``)
FILES: dict[str, list[tuple[str, Callable]]] = {
    "image.png": [("rgb", read_png)],
    "image.exr": [("rgb_linear", read_exr_image)],
    "depth.exr": [("depth", read_exr_image)],
    "normal.exr": [("normal", read_xyz)],
    "instance.png": [("instance", read_id_png)],
    "semantic.png": [("semantic", lambda p: read_png(p).astype(np.uint32))],
    "panoptic.png": [("panoptic", read_panoptic_png)],
    "boundaries.png": [("boundaries", _mask)],
    "disparity.exr": [("disparity", _channels("D"))],
    "disparity_valid.png": [("disparity_valid", _mask)],
    "disparity_kitti.png": [("disparity_kitti", read_disparity_kitti)],
}
for _k in ("fwd", "bwd"):
    FILES[f"flow_{_k}.exr"] = [(f"flow_{_k}", _channels("U", "V"))]
    FILES[f"flow_{_k}_valid.png"] = [(f"flow_{_k}_valid", _mask)]
    FILES[f"scene_flow_{_k}.exr"] = [(f"scene_flow_{_k}", _channels("X", "Y", "Z")),
                                     (f"depth_change_{_k}", _channels("depth_change"))]
    FILES[f"flow_{_k}_kitti.png"] = [(f"flow_{_k}_kitti", read_flow_kitti)]
MEMBERS = FILES  # the name of this table before shots had views
_TAKEN = {f for entries in FILES.values() for f, _ in entries}


def _text(path: Path) -> str:
    return path.read_text()


_BY_EXTENSION: dict[str, Callable] = {".json": lambda p: json.loads(p.read_bytes()), ".png": read_png,
                                      ".exr": read_exr, ".pfm": read_pfm, ".flo": read_flo, ".txt": _text}


def _generic(name: str) -> tuple[str, Callable]:
    """A file not in ``FILES``: field = its stem (``stem_ext`` where the stem is a field of
    ``FILES``, e.g. ``depth.pfm`` -> ``depth_pfm``), read by its extension."""
    stem, _, ext = name.partition(".")
    field = f"{stem}_{ext.replace('.', '_')}" if stem in _TAKEN else stem
    return field, _BY_EXTENSION.get(f".{ext.rsplit('.', 1)[-1]}", Path.read_bytes)


def _readers(name: str) -> list[tuple[str, Callable]]:
    return FILES.get(name) or [_generic(name)]


# fields derived from another member's content
_DERIVED = {"camera": {"K", "cam_to_world"}, "scene": {"id"}}


def _wanted(field: str, fields: Optional[set[str]]) -> bool:
    return fields is None or field in fields or bool(_DERIVED.get(field, set()) & fields)


def _decode(member: str, data: bytes, name: str, scratch: Path, fields: Optional[set[str]]) -> dict:
    """The fields of one file (named ``name``), decoded from its bytes."""
    todo = [(f, r) for f, r in _readers(name) if _wanted(f, fields)]
    if not todo:
        return {}
    path = scratch / member
    path.write_bytes(data)
    try:
        return {f: r(path) for f, r in todo}
    finally:
        path.unlink()


def _add_camera(d: dict) -> None:
    if "camera" in d:
        d["K"] = np.asarray(d["camera"]["K"], dtype=np.float64)
        d["cam_to_world"] = np.asarray(d["camera"]["cam_to_world"], dtype=np.float64)


def _keep(d: dict, fields: Optional[set[str]], always: tuple[str, ...] = ()) -> dict:
    return d if fields is None else {k: v for k, v in d.items() if k in fields or k in always}


def decode_sample(raw: dict, scratch: Path, fields: Optional[Sequence[str]] = None) -> dict:
    """One WebDataset sample (member name -> bytes) -> arrays and parsed JSON (module docstring).

    ``fields`` limits decoding to these fields, at the top and in every view (``None``: all).
    """
    want = None if fields is None else set(fields)
    out: dict = {"key": raw["__key__"]}
    views: dict[str, dict[int, dict]] = {}
    colmap: dict[str, str] = {}
    for member, data in raw.items():
        if member.startswith("__"):
            continue
        m = VIEW_MEMBER.match(member)
        if m:
            view = views.setdefault(m.group(1), {}).setdefault(int(m.group(2)), {})
            view.update(_decode(member, data, m.group(3), scratch, want))
        elif member.startswith("colmap."):
            if want is None or "colmap" in want:
                colmap[member.removeprefix("colmap.")] = data.decode("utf-8")
        else:
            out.update(_decode(member, data, member, scratch, want))
    if colmap:
        out["colmap"] = colmap
    _add_camera(out)
    if "scene" in out:
        out["id"] = job_id(out["scene"]["scene"], out["scene"]["seed"])
    cams = [c for c in out.get("scene", {}).get("shot", {}).get("cameras", []) if c in views]
    out = _keep(out, want, ("key",))
    if views:
        for frames in views.values():
            for d in frames.values():
                _add_camera(d)
        out["cameras"] = [c for c in cams if c in views] + sorted(c for c in views if c not in cams)
        out["frames"] = sorted({f for frames in views.values() for f in frames})
        out["views"] = {c: {f: _keep(views[c][f], want) for f in sorted(views[c])} for c in out["cameras"]}
    return out


def iter_samples(paths: Iterable[str | os.PathLike], fields: Optional[Sequence[str]] = None) -> Iterator[dict]:
    """Every sample of these shards, in order, decoded (see the module docstring)."""
    urls = [str(p) for p in paths]
    if not urls:
        return
    raw_samples = wds.WebDataset(urls, shardshuffle=False, nodesplitter=None, workersplitter=None,
                                 empty_check=False)
    shm = Path("/dev/shm")
    with tempfile.TemporaryDirectory(prefix="wildsynth-", dir=shm if shm.is_dir() else None) as scratch:
        for raw in raw_samples:
            yield decode_sample(raw, Path(scratch), fields)


def split_shards(paths: Sequence, worker: int, workers: int, rank: int = 0, world_size: int = 1) -> list:
    """The shards of one DataLoader worker on one rank: every ``world_size * workers``-th."""
    slot, slots = rank * workers + worker, world_size * workers
    return list(paths)[slot::slots]


def _torch_dataset_class():
    import torch.utils.data

    class ShardDataset(torch.utils.data.IterableDataset):
        """Samples of wildsynth shards; shards are split across DataLoader workers and ranks.

        With fewer shards than workers some workers yield nothing: write at least
        as many shards as ``world_size * num_workers`` (``--maxcount``).
        """

        def __init__(self, paths: Sequence[str | os.PathLike], fields: Optional[Sequence[str]] = None,
                     transform: Optional[Callable[[dict], object]] = None, rank: int = 0, world_size: int = 1):
            super().__init__()
            self.paths = [str(p) for p in paths]
            self.fields = fields
            self.transform = transform
            self.rank, self.world_size = rank, world_size

        def __iter__(self):
            info = torch.utils.data.get_worker_info()
            worker, workers = (info.id, info.num_workers) if info is not None else (0, 1)
            for sample in iter_samples(split_shards(self.paths, worker, workers, self.rank, self.world_size),
                                       self.fields):
                yield self.transform(sample) if self.transform is not None else sample

    ShardDataset.__module__, ShardDataset.__qualname__ = __name__, "ShardDataset"  # picklable by name
    return ShardDataset


def __getattr__(name: str):
    if name == "ShardDataset":  # built on first use so that torch stays optional
        cls = _torch_dataset_class()
        globals()["ShardDataset"] = cls
        return cls
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
