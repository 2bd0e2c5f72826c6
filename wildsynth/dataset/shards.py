"""Pack finished frames into WebDataset tar shards.

One sample per frame. Its key is the job id with ``/`` replaced by ``_``
(``meadow/000042`` -> ``meadow_000042``: WebDataset splits a member name at
the first dot of its base name, so keys hold no dot and no slash); its members
are the frame's files under their own names (``meadow_000042.depth.exr``,
``meadow_000042.image.png``, ...). Each shard is written under a temporary
name and renamed when closed; ``shards.json`` (shard names, sample keys,
counts) is written last and is the list readers should trust.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence

import webdataset as wds

from ..io import write_json
from ..params import UserError
from ..pipeline import OUTPUT_FILES
from .jobs import load_spec, plan_jobs
from .manifest import is_done

SHARD_INDEX = "shards.json"
PREVIEWS = ("depth_preview.png", "normal_preview.png", "preview.png")
_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def sample_key(job_id: str) -> str:
    key = job_id.replace("/", "_")
    if not _KEY.match(key):
        raise ValueError(f"job id {job_id!r} does not make a WebDataset key (letters, digits, _ and - only)")
    return key


@dataclass
class ShardReport:
    shards: list[Path]
    samples: int
    bytes: int
    seconds: float


def write_shards(root: Path, out: Optional[Path] = None, maxcount: int = 100, previews: bool = True,
                 files: Sequence[str] = OUTPUT_FILES) -> ShardReport:
    """Pack every done frame of the dataset at ``root`` into ``out/shard-NNNNNN.tar``
    (default ``root/shards``), in job order, ``maxcount`` samples per shard.

    Shards are written under temporary names and renamed only when all of them
    are complete (an error removes them); shards of an earlier packing that this
    one did not rewrite are removed after the new ``shards.json`` is in place.
    """
    import time

    if maxcount < 1:
        raise ValueError(f"maxcount {maxcount}: must be at least 1")
    t0 = time.perf_counter()
    root = Path(root)
    out = Path(out) if out is not None else root / "shards"
    out.mkdir(parents=True, exist_ok=True)
    names = [f for f in files if previews or f not in PREVIEWS]
    jobs = [j for j in plan_jobs(load_spec(root)) if is_done(j)]

    if not jobs:
        raise UserError(f"{root}: no finished frames to pack (see `wildsynth dataset status {root}`)")

    closed: list[tuple[Path, list[str]]] = []  # (temporary shard, keys in it)
    keys: list[str] = []

    def on_close(tmp_name: str) -> None:  # ShardWriter calls this after closing each shard
        closed.append((Path(tmp_name), keys.copy()))
        keys.clear()

    try:
        with wds.ShardWriter(str(out / ".tmp-shard-%06d.tar"), maxcount=maxcount, post=on_close, verbose=0) as sink:
            for job in jobs:
                sample = {"__key__": sample_key(job.id)}
                for name in names:
                    path = Path(job.folder) / name
                    if path.is_file():
                        sample[name] = path.read_bytes()
                sink.write(sample)
                keys.append(sample["__key__"])
    except BaseException:
        for tmp, _ in closed:
            tmp.unlink(missing_ok=True)
        raise
    written, shards = [], []
    for tmp, shard_keys in closed:  # every shard complete: move them into place, then the index
        final = tmp.with_name(tmp.name.removeprefix(".tmp-"))
        os.replace(tmp, final)
        written.append(final)
        shards.append({"name": final.name, "samples": len(shard_keys), "keys": shard_keys})
    write_json(out / SHARD_INDEX, {"maxcount": maxcount, "samples": len(jobs), "files": names, "shards": shards})
    keep = {p.name for p in written}
    for old in out.glob("shard-*.tar"):
        if old.name not in keep:
            old.unlink()
    return ShardReport(written, len(jobs), sum(p.stat().st_size for p in written),
                       round(time.perf_counter() - t0, 3))


def shard_paths(folder: Path) -> list[Path]:
    """The shards listed in ``folder/shards.json`` (a folder of shards written by ``write_shards``)."""
    from ..io import read_json

    folder = Path(folder)
    index = folder / SHARD_INDEX
    if not index.is_file():
        raise FileNotFoundError(f"{folder}: no {SHARD_INDEX}; pack the dataset with `wildsynth dataset shard`")
    return [folder / s["name"] for s in read_json(index)["shards"]]
