"""Pack finished jobs into WebDataset tar shards: one sample per job, a still or a whole shot.

The sample key is the job id with ``/`` replaced by ``_`` (``meadow/000042`` ->
``meadow_000042``). The members are every file the job folder holds, named by
their path in the folder with ``/`` replaced by ``.``:

- a still (written flat): ``image.png``, ``depth.exr``, ``scene.json``, ...
- a shot: each view's files as ``<camera>.<frame:06d>.<file>``
  (``left.000003.depth.exr``, ``right.000000.flow_fwd.exr``), the root files
  under their own names (``scene.json``, ``objects.json``, ``transforms.json``,
  ``panoptic_left.json``), and the COLMAP model as ``colmap.cameras.txt``, ...

WebDataset splits a tar member at the first dot of its base name into key and
member name, so keys, camera names and folder names hold no dot (letters,
digits, ``_`` and ``-``); a member is a view file exactly when its name starts
with ``<camera>.<six or more digits>.`` (``VIEW_MEMBER``), which no root file
does. Hidden files (staging folders, temporaries) are never packed.

Each shard is written under a temporary name and renamed when all are closed;
``shards.json`` (shard names, sample keys, counts) is written last and is the
list readers should trust.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import webdataset as wds

from ..io import write_json
from ..io.lock import RunLock
from ..params import UserError
from .jobs import load_spec, plan_jobs
from .manifest import is_done

SHARD_INDEX = "shards.json"
LOCK_FILE = ".wildsynth.lock"
VIEW_MEMBER = re.compile(r"^([A-Za-z0-9_-]+)\.(\d{6,})\.(.+)$")  # <camera>.<frame>.<file> of a shot's view
_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def is_preview(name: str) -> bool:
    """The human-viewable PNGs (left out by ``--no-previews``): ``preview.png`` and ``*_preview.png``."""
    return name == "preview.png" or name.endswith("_preview.png")


def sample_key(job_id: str) -> str:
    key = job_id.replace("/", "_")
    if not _KEY.match(key):
        raise ValueError(f"job id {job_id!r} does not make a WebDataset key (letters, digits, _ and - only)")
    return key


def job_members(folder: Path, previews: bool = True) -> dict[str, Path]:
    """Member name -> file, for every file the job folder holds (sorted; see the module docstring)."""
    folder = Path(folder)
    members: dict[str, Path] = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).parts
        if any(p.startswith(".") for p in rel) or not path.is_file():
            continue
        if not previews and is_preview(rel[-1]):
            continue
        for part in rel[:-1]:
            if not _KEY.match(part):
                raise ValueError(f"{path}: folder name {part!r} would break the member name "
                                 "(letters, digits, _ and - only)")
        members[".".join(rel)] = path
    return members


@dataclass
class ShardReport:
    shards: list[Path]
    samples: int
    bytes: int
    seconds: float


def write_shards(root: Path, out: Optional[Path] = None, maxcount: int = 100, previews: bool = True) -> ShardReport:
    """Pack every done job of the dataset at ``root`` into ``out/shard-NNNNNN.tar``
    (default ``root/shards``), in job order, ``maxcount`` samples (jobs) per shard.

    Shards are written under temporary names and renamed only when all of them
    are complete (an error removes them); shards of an earlier packing that this
    one did not rewrite are removed after the new ``shards.json`` is in place.
    Nothing is created when there is nothing to pack (``UserError``); ``out`` is
    locked while it is written (a second packer fails at once).
    """
    if maxcount < 1:
        raise ValueError(f"maxcount {maxcount}: must be at least 1")
    t0 = time.perf_counter()
    root = Path(root)
    out = Path(out) if out is not None else root / "shards"
    jobs = [j for j in plan_jobs(load_spec(root)) if is_done(j)]
    if not jobs:
        raise UserError(f"{root}: no finished jobs to pack (see `wildsynth dataset status {root}`)")
    if out.exists() and not out.is_dir():
        raise UserError(f"--out {out}: exists and is not a folder")
    out.mkdir(parents=True, exist_ok=True)  # only now: a failed check creates nothing
    with RunLock(out / LOCK_FILE, what=f"shards folder {out}"):  # two packers would share temporary names
        return _write_shards(jobs, out, maxcount, previews, t0)


def _write_shards(jobs: list, out: Path, maxcount: int, previews: bool, t0: float) -> ShardReport:
    files: set[str] = set()  # the file names the samples hold, without the view prefix

    closed: list[tuple[Path, list[str]]] = []  # (temporary shard, keys in it)
    keys: list[str] = []

    def on_close(tmp_name: str) -> None:  # ShardWriter calls this after closing each shard
        closed.append((Path(tmp_name), keys.copy()))
        keys.clear()

    try:
        with wds.ShardWriter(str(out / ".tmp-shard-%06d.tar"), maxcount=maxcount, post=on_close, verbose=0) as sink:
            for job in jobs:
                sample = {"__key__": sample_key(job.id)}
                for name, path in job_members(job.folder, previews).items():
                    sample[name] = path.read_bytes()
                    m = VIEW_MEMBER.match(name)
                    files.add(m.group(3) if m else name)
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
    write_json(out / SHARD_INDEX, {"maxcount": maxcount, "samples": len(jobs), "previews": previews,
                                   "files": sorted(files), "shards": shards})
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
