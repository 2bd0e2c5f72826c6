"""Benchmark `wildsynth export-layout`: export throughput (views per second) per layout, and how fast the
field's real loaders read each export (samples per second); prints JSON.

    python benchmarks/bench_layouts.py [--src RUN] [--layouts sintel,kitti2015] [--repeat 3]
    python benchmarks/bench_layouts.py --resolution 320x180 --frames 4      # renders its own source first

A view is one camera at one frame of the source run (a stereo run of N
frames has 2N). Each layout is exported ``--repeat`` times into fresh
folders; the best wall time and its CPU seconds are reported (the machine is
shared: CPU seconds are the steadier number). Without ``--src`` a stereo
plains sequence is rendered first (``--resolution``, ``--frames``, 2 samples).

Loaders (``--loaders``, on by default): the exports are read by the loaders
tests/layouts runs (torchvision's Sintel, FlyingThings3D, SceneFlowStereo,
KittiFlow, Kitti2015Stereo, ETH3DStereo, as tests/layouts/torchvision_real.py
runs them; pycolmap for colmap), in a child interpreter
(``loader_timing.py``); every sample is read ``--repeat`` times and the best
pass reported. A sample is what the class's ``__getitem__`` returns (an
image pair with its flow or disparity).
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


LOADERS = {  # layout -> {name: (class, kwargs)}: the requests tests/layouts/test_export.py makes
    "sintel": {"Sintel": ("Sintel", {})},
    "flyingthings3d": {"FlyingThings3D": ("FlyingThings3D", {"split": "test", "camera": "both"}),
                       "SceneFlowStereo": ("SceneFlowStereo", {})},
    "kitti2015": {"KittiFlow": ("KittiFlow", {}), "Kitti2015Stereo": ("Kitti2015Stereo", {})},
    "eth3d": {"ETH3DStereo": ("ETH3DStereo", {})},
    "colmap": {"pycolmap.Reconstruction": ("pycolmap", {})},
}
SETS = {"flyingthings3d": ["test_every=1"]}  # every view in the test split FlyingThings3D(split="test") reads


def time_loaders(exports: dict[str, Path], tmp: Path, repeat: int) -> list[dict]:
    import pickle

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.layouts.torchvision_real import torchvision_sources

    req = {}
    for layout, out in exports.items():
        for name, (cls, kwargs) in LOADERS.get(layout, {}).items():
            root = out / "sparse" / "0" if cls == "pycolmap" else out
            req[name] = {"cls": cls, "root": str(root), "kwargs": kwargs, "repeat": repeat, "layout": layout}
    if not req:
        return []
    src = torchvision_sources()
    (tmp / "loaders_req.pkl").write_bytes(pickle.dumps(req))
    cmd = [sys.executable, str(Path(__file__).with_name("loader_timing.py")), str(tmp / "loaders_req.pkl"),
           str(tmp / "loaders_res.pkl")] + ([str(src)] if src else [])
    subprocess.run(cmd, check=True)
    res = pickle.loads((tmp / "loaders_res.pkl").read_bytes())
    return [{"layout": r["layout"], "loader": name, **res[name]} for name, r in req.items()]


def main() -> None:
    from wildsynth.layouts import LAYOUTS, export_layout, open_run

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--src", type=Path, help="a finished run (default: render one)")
    ap.add_argument("--layouts", default=",".join(sorted(LAYOUTS)))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--resolution", default="320x180")
    ap.add_argument("--frames", type=int, default=4)
    ap.add_argument("--loaders", action=argparse.BooleanOptionalAction, default=True,
                    help="also time the real loaders on each export (samples/s)")
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
        keep = {}
        for name in a.layouts.split(","):
            best = None
            for k in range(a.repeat):
                out = Path(tmp) / f"{name}_{k}"
                w0, c0 = time.perf_counter(), time.process_time()
                rep = export_layout(src, name, out, SETS.get(name))
                wall, cpu = time.perf_counter() - w0, time.process_time() - c0
                if best is None or wall < best[0]:
                    best = (wall, cpu, rep.counts)
                if k == 0 and a.loaders and name in LOADERS:
                    keep[name] = out
                else:
                    shutil.rmtree(out)
            wall, cpu, counts = best
            rows.append({"layout": name, "views": views, "wall_s": round(wall, 3), "cpu_s": round(cpu, 3),
                         "views_per_s": round(views / wall, 1), "views_per_cpu_s": round(views / max(cpu, 1e-9), 1),
                         "files": counts})
        loaders = time_loaders(keep, Path(tmp), a.repeat) if a.loaders else []
        print(json.dumps({"source": str(a.src or "rendered"), "render_s": render_s, "resolution":
                          f"{cam.width}x{cam.height}", "cameras": run.cameras, "frames": len(run.frames),
                          "machine": platform.machine(), "results": rows, "loaders": loaders}, indent=1))


if __name__ == "__main__":
    main()
