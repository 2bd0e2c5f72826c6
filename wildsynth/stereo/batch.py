"""One job of the folder tool: read an (image, depth) pair, synthesise, write.

Each pair's randomness comes from ``SeedSequence([seed, crc32(stem)])``, so a
pair's output depends only on the run seed, its name and the parameters -- not
on worker scheduling or on which pairs a resumed run skips. The first child
stream picks the background image, the second drives ``from_mono``.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .disparity import StereoInputError
from .files import read_depth, read_image
from .pair import from_mono
from .params import StereoParams
from .writing import write_pair


@dataclass(frozen=True)
class PairJob:
    stem: str
    image: Path
    depth: Path
    out: Path
    formats: tuple[str, ...]
    params: dict
    seed: int
    backgrounds: tuple[Path, ...] = ()
    depth_png_scale: float = 1000.0


def pair_rngs(seed: int, stem: str) -> tuple[np.random.Generator, np.random.Generator]:
    ss = np.random.SeedSequence([int(seed) & 0xFFFFFFFF, zlib.crc32(stem.encode("utf-8"))])
    a, b = ss.spawn(2)
    return np.random.default_rng(a), np.random.default_rng(b)


def pick_background(job: PairJob, rng: np.random.Generator) -> Path | None:
    """Another image than the pair's own (the paper's choice); None -> procedural background."""
    choices = [p for p in job.backgrounds if p.resolve() != job.image.resolve()]
    return choices[int(rng.integers(len(choices)))] if choices else None


def run_job(job: PairJob) -> tuple[str, str | None]:
    """Process one pair; return (stem, None) or (stem, one-line error) for bad input. An OSError
    writing (a full disk) is raised, naming the pair's files, for the caller to stop the batch."""
    try:
        bg_rng, rng = pair_rngs(job.seed, job.stem)
        params = StereoParams(**job.params)
        image = read_image(job.image)
        depth = read_depth(job.depth, job.depth_png_scale, params.inverse)
        bg_path = pick_background(job, bg_rng)
        background = read_image(bg_path) if bg_path is not None else None
        try:
            pair = from_mono(image, depth, rng, background=background, params=params)
        except StereoInputError as e:
            raise StereoInputError(f"{job.image.name} + {job.depth.name}: {e}") from None
        meta = {"seed": job.seed, "image": str(job.image), "depth": str(job.depth),
                "background": str(bg_path) if bg_path else None, "params": job.params}
        try:
            write_pair(pair, job.out, job.stem, list(job.formats), meta)
        except OSError as e:
            if e.filename is None:  # a failed write() names no file: name the pair's outputs
                raise OSError(e.errno, e.strerror, str(job.out / f"*/{job.stem}.*")) from e
            raise
        return job.stem, None
    except StereoInputError as e:
        return job.stem, str(e)
