"""Dataset throughput: tiny meadow frames per hour with 1 and 2 local workers, and shard writing speed.

    python benchmarks/bench_dataset.py [--frames 4] [--resolution 64x48] [--samples 2] [--shard-frames 64]

Each run generates ``--frames`` frames into a fresh folder (every job in a new
process, Blender start-up included). Shard writing is timed on the frames of
the 2-worker run, repeated until ``--shard-frames`` frames have been packed, and
reported in MB/s of tar written; then the loader decodes one packing
(samples/s, every member decoded). Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path

from wildsynth.dataset.jobs import make_spec
from wildsynth.dataset.runners import generate_dataset
from wildsynth.dataset.loader import iter_samples
from wildsynth.dataset.shards import shard_paths, write_shards


def run(root: Path, frames: int, workers: int, width: int, height: int, samples: int) -> dict:
    spec = make_spec(scenes={"meadow": 1}, count=frames, render={"width": width, "height": height,
                                                                "samples": samples}, out=root)
    t0 = time.perf_counter()
    summary = generate_dataset(spec, workers=workers, progress=False)
    wall = time.perf_counter() - t0
    return {"workers": workers, "frames": summary.done, "failed": summary.failed, "wall_s": round(wall, 2),
            "frames_per_hour": round(3600.0 * summary.done / wall, 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=4)
    ap.add_argument("--resolution", default="64x48")
    ap.add_argument("--samples", type=int, default=2)
    ap.add_argument("--shard-frames", type=int, default=64)
    a = ap.parse_args()
    width, height = (int(x) for x in a.resolution.lower().split("x"))
    result = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
              "scene": "meadow", "resolution": a.resolution, "samples": a.samples, "runs": []}
    with tempfile.TemporaryDirectory() as tmp:
        for workers in (1, 2):
            root = Path(tmp) / f"w{workers}"
            result["runs"].append(run(root, a.frames, workers, width, height, a.samples))
        total, nbytes, seconds, rounds = 0, 0, 0.0, 0
        while total < a.shard_frames:
            report = write_shards(root, Path(tmp) / "shards", maxcount=4)
            total += report.samples
            nbytes += report.bytes
            seconds += report.seconds
            rounds += 1
        result["shards"] = {"frames": total, "rounds": rounds, "mb": round(nbytes / 1e6, 2),
                            "seconds": round(seconds, 3), "mb_per_s": round(nbytes / 1e6 / seconds, 1),
                            "mb_per_frame": round(nbytes / 1e6 / total, 3)}
        t0 = time.perf_counter()
        n = sum(1 for _ in iter_samples(shard_paths(Path(tmp) / "shards")))
        result["loader"] = {"samples": n, "samples_per_s": round(n / (time.perf_counter() - t0), 1)}
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
