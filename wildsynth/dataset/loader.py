"""Read WebDataset shards of wildsynth frames back as numpy arrays and parsed JSON.

``iter_samples(paths)`` is a plain-Python iterator; ``ShardDataset`` wraps it
as a ``torch.utils.data.IterableDataset`` that gives each DataLoader worker
(and each distributed rank) its own shards, so every sample comes out exactly
once per epoch. torch is optional: it is imported when ``ShardDataset`` is
first used.

Members are decoded with the project's readers (``wildsynth.io``), which read
from paths: each member is written to a temporary folder (in ``/dev/shm``
where there is one) and read from there.

A sample (fields present when the shard holds the file):

=================  =====================================================
``key``, ``id``    shard key ``meadow_000042``; job id ``meadow/000042``
``rgb``            uint8 (H, W, 3), ``image.png``
``rgb_linear``     float32 (H, W, 3), ``image.exr``
``depth``          float32 (H, W), metres, ``inf`` for sky
``normal``         float32 (H, W, 3), camera (OpenCV) axes
``instance``       uint32 (H, W), 0 = sky
``semantic``       uint32 (H, W), class ids of ``core/labels.py``
``K``              float64 (3, 3); ``cam_to_world`` float64 (4, 4), OpenCV axes
``camera``, ``objects``, ``scene``, ``transforms``   the parsed JSON files
``depth_preview``, ``normal_preview``, ``preview``   uint8 images
=================  =====================================================
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
from ..io.exr import read_exr, read_exr_image
from ..io.ids import read_id_png
from .jobs import job_id


def read_xyz(path: Path) -> np.ndarray:
    """``normal.exr`` (channels X, Y, Z) as one float32 (H, W, 3) array."""
    c = read_exr(path, separate=True)
    return np.stack([c["X"], c["Y"], c["Z"]], axis=-1)


# member -> (field, reader of a path)
MEMBERS: dict[str, tuple[str, Callable]] = {
    "image.png": ("rgb", read_png),
    "image.exr": ("rgb_linear", read_exr_image),
    "depth.exr": ("depth", read_exr_image),
    "normal.exr": ("normal", read_xyz),
    "instance.png": ("instance", read_id_png),
    "semantic.png": ("semantic", lambda p: read_png(p).astype(np.uint32)),
}


def _read_any(path: Path):
    if path.suffix == ".json":
        return json.loads(path.read_bytes())
    if path.suffix == ".png":
        return read_png(path)
    if path.suffix == ".exr":
        return read_exr(path)
    return path.read_bytes()


# fields derived from another member's content
_DERIVED = {"camera": {"K", "cam_to_world"}, "scene": {"id"}}


def decode_sample(raw: dict, scratch: Path, fields: Optional[Sequence[str]] = None) -> dict:
    """One WebDataset sample (member name -> bytes) -> arrays and parsed JSON.

    ``fields`` limits decoding to these output fields (``None``: all).
    """
    out: dict = {"key": raw["__key__"]}
    for member, data in raw.items():
        if member.startswith("__"):
            continue
        name, reader = MEMBERS.get(member, (member.split(".")[0], _read_any))
        if fields is not None and name not in fields and not _DERIVED.get(name, set()) & set(fields):
            continue
        path = scratch / member
        path.write_bytes(data)
        out[name] = reader(path)
        path.unlink()
    if "camera" in out:
        out["K"] = np.asarray(out["camera"]["K"], dtype=np.float64)
        out["cam_to_world"] = np.asarray(out["camera"]["cam_to_world"], dtype=np.float64)
    if "scene" in out:
        out["id"] = job_id(out["scene"]["scene"], out["scene"]["seed"])
    if fields is not None:
        out = {k: v for k, v in out.items() if k in fields or k == "key"}
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
