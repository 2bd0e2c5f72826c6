"""Dataset throughput: tiny meadow jobs per hour with 1 and 2 local workers, and shard writing speed.

    python benchmarks/bench_dataset.py [--jobs 4] [--resolution 64x48] [--samples 2] [--shard-jobs 64]
                                       [--frames 1] [--rig mono] [--scenes meadow]

Each run generates ``--jobs`` jobs into a fresh folder (every job in a new
process, Blender start-up included); a job is a still, or a shot of
``--frames`` frames from ``--rig``. Shard writing is timed on the jobs of the
2-worker run, repeated until ``--shard-jobs`` samples have been packed, and
reported in MB/s of tar written; then the loader decodes one packing
(samples/s and views/s, every member decoded). Prints JSON (wall and CPU
seconds, peak RSS of the workers).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import tempfile
import time
from pathlib import Path

from wildsynth.dataset.jobs import make_spec
from wildsynth.dataset.loader import iter_samples
from wildsynth.dataset.runners import generate_dataset
from wildsynth.dataset.shards import shard_paths, write_shards


def cpu_seconds() -> float:
    """User + system seconds of this process and of its finished children (the workers)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def run(root: Path, scenes: dict, jobs: int, workers: int, width: int, height: int, samples: int,
        options: dict) -> dict:
    spec = make_spec(scenes=scenes, count=jobs, render={"width": width, "height": height, "samples": samples},
                     options=options, out=root)
    t0, c0 = time.perf_counter(), cpu_seconds()
    summary = generate_dataset(spec, workers=workers, progress=False)
    wall, cpu = time.perf_counter() - t0, cpu_seconds() - c0
    return {"workers": workers, "jobs": summary.done, "failed": summary.failed, "wall_s": round(wall, 2),
            "cpu_s": round(cpu, 2), "jobs_per_hour": round(3600.0 * summary.done / wall, 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=4)
    ap.add_argument("--resolution", default="64x48")
    ap.add_argument("--samples", type=int, default=2)
    ap.add_argument("--shard-jobs", type=int, default=64)
    ap.add_argument("--frames", type=int, default=1)
    ap.add_argument("--rig", default="mono", choices=("mono", "stereo", "multiview"))
    ap.add_argument("--scenes", default="meadow", help="comma list of scene names (equal weights)")
    a = ap.parse_args()
    width, height = (int(x) for x in a.resolution.lower().split("x"))
    scenes = {name: 1.0 for name in a.scenes.split(",")}
    options = {"shot": {"frames": a.frames, "rig": a.rig}}
    result = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
              "scenes": a.scenes, "resolution": a.resolution, "samples": a.samples, "frames": a.frames,
              "rig": a.rig, "runs": []}
    with tempfile.TemporaryDirectory() as tmp:
        for workers in (1, 2):
            root = Path(tmp) / f"w{workers}"
            result["runs"].append(run(root, scenes, a.jobs, workers, width, height, a.samples, options))
        total, nbytes, seconds, rounds = 0, 0, 0.0, 0
        while total < a.shard_jobs:
            report = write_shards(root, Path(tmp) / "shards", maxcount=4)
            total += report.samples
            nbytes += report.bytes
            seconds += report.seconds
            rounds += 1
        result["shards"] = {"samples": total, "rounds": rounds, "mb": round(nbytes / 1e6, 2),
                            "seconds": round(seconds, 3), "mb_per_s": round(nbytes / 1e6 / seconds, 1),
                            "mb_per_sample": round(nbytes / 1e6 / total, 3)}
        t0 = time.perf_counter()
        n = views = 0
        for s in iter_samples(shard_paths(Path(tmp) / "shards")):
            n += 1
            views += sum(len(f) for f in s["views"].values()) if "views" in s else 1
        dt = time.perf_counter() - t0
        result["loader"] = {"samples": n, "samples_per_s": round(n / dt, 1), "views_per_s": round(views / dt, 1)}
    result["peak_rss_mb_workers"] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
