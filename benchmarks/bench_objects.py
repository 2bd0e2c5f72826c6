"""Object sets: objects per hour at 128 and 256 px with 12 views each; prints JSON.

    nice -n 10 python benchmarks/bench_objects.py [--count 4] [--sizes 128,256] [--kind ...] [--layout zero123]

Each size is one fresh ``wildsynth objects`` process (bpy import, Blender warm-up and every
object's build, render of 12 views x 2 passes and files included); wall and CPU seconds and
peak RSS are that process's own (``os.wait4``). Objects per hour = count / wall x 3600. On a
shared machine read CPU seconds beside wall.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run(kind: str, count: int, size: int, views: int, samples: int, layout: str, out: Path) -> dict:
    cmd = [sys.executable, "-m", "wildsynth.cli", "objects", "--kind", kind, "--count", str(count), "--views",
           str(views), "--size", str(size), "--samples", str(samples), "--layout", layout, "--out", str(out)]
    t0 = time.time()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.time() - t0
    err = p.stderr.read().decode()[-400:] if p.stderr else ""
    if status != 0:
        raise SystemExit(f"wildsynth objects failed ({status}): {err}")
    tris = [json.loads((out / r["uid"] / "object.json").read_text())["triangles"]
            for r in json.loads((out / "wildsynth_objects.json").read_text())["objects"]]
    return {"size": size, "views": views, "samples": samples, "count": count, "wall_s": round(wall, 2),
            "cpu_s": round(ru.ru_utime + ru.ru_stime, 2), "peak_rss_mb": round(ru.ru_maxrss / 1024.0, 1),
            "objects_per_hour": round(count / wall * 3600.0, 1),
            "objects_per_cpu_hour": round(count / max(ru.ru_utime + ru.ru_stime, 1e-9) * 3600.0, 1),
            "triangles_mean": round(sum(tris) / len(tris))}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=4)
    ap.add_argument("--sizes", default="128,256")
    ap.add_argument("--views", type=int, default=12)
    ap.add_argument("--samples", type=int, default=16)
    ap.add_argument("--kind", default="rock_boulder,mushroom,cactus_saguaro,fern")
    ap.add_argument("--layout", default="zero123")
    a = ap.parse_args()
    res = {"benchmark": "objects", "cpus": os.cpu_count(), "kind": a.kind, "layout": a.layout, "runs": []}
    with tempfile.TemporaryDirectory(prefix="ws-objects-") as tmp:
        for size in (int(s) for s in a.sizes.split(",")):
            res["runs"].append(run(a.kind, a.count, size, a.views, a.samples, a.layout, Path(tmp) / f"s{size}"))
    print(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()
