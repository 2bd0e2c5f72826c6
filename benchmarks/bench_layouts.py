"""Benchmark `wildsynth export-layout`: export throughput (views per second) per layout; prints JSON.

    python benchmarks/bench_layouts.py [--src RUN] [--layouts sintel,kitti2015] [--repeat 3]
    python benchmarks/bench_layouts.py --resolution 320x180 --frames 4      # renders its own source first

A view is one camera at one frame of the source run (a stereo run of N
frames has 2N). Each layout is exported ``--repeat`` times into fresh
folders; the best wall time and its CPU seconds are reported (the machine is
shared: CPU seconds are the steadier number). Without ``--src`` a stereo
plains sequence is rendered first (``--resolution``, ``--frames``, 2 samples).
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def render(out: Path, resolution: str, frames: int) -> None:
    subprocess.run([sys.executable, "-m", "wildsynth.cli", "generate", "--scene", "plains", "--frames", str(frames),
                    "--rig", "stereo", "--resolution", resolution, "--samples", "2", "--formats", "exr,pfm,flo,kitti",
                    "--out", str(out)], check=True, capture_output=True)


def main() -> None:
    from wildsynth.layouts import LAYOUTS, export_layout, open_run

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--src", type=Path, help="a finished run (default: render one)")
    ap.add_argument("--layouts", default=",".join(sorted(LAYOUTS)))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--resolution", default="320x180")
    ap.add_argument("--frames", type=int, default=4)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench_layouts_") as tmp:
        src = a.src
        render_s = None
        if src is None:
            src = Path(tmp) / "src"
            t0 = time.perf_counter()
            render(src, a.resolution, a.frames)
            render_s = round(time.perf_counter() - t0, 1)
        run = open_run(src)
        views = len(run.cameras) * len(run.frames)
        cam = run.view(run.cameras[0], run.frames[0]).camera()
        rows = []
        for name in a.layouts.split(","):
            best = None
            for k in range(a.repeat):
                out = Path(tmp) / f"{name}_{k}"
                w0, c0 = time.perf_counter(), time.process_time()
                rep = export_layout(src, name, out)
                wall, cpu = time.perf_counter() - w0, time.process_time() - c0
                if best is None or wall < best[0]:
                    best = (wall, cpu, rep.counts)
                shutil.rmtree(out)
            wall, cpu, counts = best
            rows.append({"layout": name, "views": views, "wall_s": round(wall, 3), "cpu_s": round(cpu, 3),
                         "views_per_s": round(views / wall, 1), "views_per_cpu_s": round(views / max(cpu, 1e-9), 1),
                         "files": counts})
        print(json.dumps({"source": str(a.src or "rendered"), "render_s": render_s, "resolution":
                          f"{cam.width}x{cam.height}", "cameras": run.cameras, "frames": len(run.frames),
                          "machine": platform.machine(), "results": rows}, indent=1))


if __name__ == "__main__":
    main()
