"""Size and error of the compact packing (format ``compact``) against the lossless EXR files of the same views.

    python benchmarks/bench_compact.py [--src RUN] [--resolution 320x180] [--frames 4] [--samples 8]

Without ``--src`` it renders a stereo plains walk with ``--formats exr,compact``
into a temporary folder first. For every view it reads both, and prints JSON:
bytes of the lossless ground truth (depth, normal, flow, scene_flow and
disparity EXRs) and of ``compact.npz``, their ratio, and the worst errors of
the compact arrays: depth relative error, normal angle (radians), flow and
disparity in pixels, depth change in metres; plus wall and CPU seconds and
peak RSS of the measurement (the render, when made here, separately).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from wildsynth.io.compact import read_compact
from wildsynth.layouts import open_run
from wildsynth.layouts.source import _exr

LOSSLESS = ("depth.exr", "normal.exr", "flow_fwd.exr", "flow_bwd.exr", "scene_flow_fwd.exr", "scene_flow_bwd.exr",
            "disparity.exr")


def cpu_seconds() -> float:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def measure(src: Path) -> dict:
    run = open_run(src)
    rows = []
    for cam in run.cameras:
        for v in run.views(cam):
            if not v.has("compact.npz"):
                raise SystemExit(f"{v.folder}: no compact.npz; generate with --formats exr,compact")
            c = read_compact(v.path("compact.npz"))
            z = v.depth()
            ok = np.isfinite(z)
            n = np.nan_to_num(_exr(v.path("normal.exr"), "X", "Y", "Z")).astype(np.float64)
            nb = c["normal"].astype(np.float64)
            has = np.linalg.norm(n, axis=-1) > 0
            ang = np.arctan2(np.linalg.norm(np.cross(nb[has], n[has]), axis=-1), np.sum(nb[has] * n[has], axis=-1))
            row = {"view": f"{cam}/{v.frame:06d}",
                   "lossless_bytes": sum(v.path(f).stat().st_size for f in LOSSLESS if v.has(f)),
                   "compact_bytes": v.path("compact.npz").stat().st_size,
                   "depth_rel_max": float(np.max(np.abs(c["depth"][ok] / z[ok] - 1.0))),
                   "depth_sky_kept": bool(np.isinf(c["depth"][~ok]).all()),
                   "normal_angle_rad_max": float(ang.max()) if ang.size else 0.0}
            for key in ("fwd", "bwd"):
                if v.has_flow(key):
                    f, _ = v.flow(key)
                    fok = np.all(np.isfinite(f), axis=2)
                    row[f"flow_{key}_px_max"] = float(np.abs(c[f"flow_{key}"][fok] - f[fok]).max())
                    dz = v.depth_change(key)
                    if dz is not None and f"depth_change_{key}" in c:
                        dok = np.isfinite(dz)
                        row[f"depth_change_{key}_m_max"] = float(np.abs(c[f"depth_change_{key}"][dok] - dz[dok]).max())
            if v.has_disparity():
                d, _ = v.disparity()
                row["disparity_px_max"] = float(np.abs(c["disparity"] - d).max())
            rows.append(row)
    lossless = sum(r["lossless_bytes"] for r in rows)
    compact = sum(r["compact_bytes"] for r in rows)
    worst = {k: max(r[k] for r in rows if k in r) for k in rows[0] if k.endswith("_max")}
    return {"views": len(rows), "lossless_bytes": lossless, "compact_bytes": compact,
            "ratio": round(lossless / max(compact, 1), 2), "worst": worst, "per_view": rows}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--src", type=Path)
    ap.add_argument("--resolution", default="320x180")
    ap.add_argument("--frames", type=int, default=4)
    ap.add_argument("--samples", type=int, default=8)
    a = ap.parse_args()
    render = None
    with tempfile.TemporaryDirectory() as tmp:
        src = a.src
        if src is None:
            src = Path(tmp) / "walk"
            t0, c0 = time.perf_counter(), cpu_seconds()
            subprocess.run([sys.executable, "-m", "wildsynth.cli", "generate", "--scene", "plains", "--seed", "0",
                            "--frames", str(a.frames), "--rig", "stereo", "--resolution", a.resolution, "--samples",
                            str(a.samples), "--formats", "exr,compact", "--out", str(src)], check=True,
                           stdout=subprocess.DEVNULL)
            render = {"wall_s": round(time.perf_counter() - t0, 2), "cpu_s": round(cpu_seconds() - c0, 2)}
        t0, c0 = time.perf_counter(), cpu_seconds()
        out = measure(src)
        out.update(measure_wall_s=round(time.perf_counter() - t0, 3), measure_cpu_s=round(cpu_seconds() - c0, 3),
                   peak_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1), render=render,
                   source=str(a.src) if a.src else f"plains seed 0, stereo walk, {a.frames} frames, {a.resolution}")
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
