"""Soak test: many consecutive tiny jobs of mixed scenes through the dataset runner, 1 worker.

    python benchmarks/bench_soak.py [--count 100] [--resolution 32x24] [--samples 1] [--seed 0]
                                    [--scenes meadow,desert,canyon,forest] [--out DIR] [--budget-s S]

Every job runs in a fresh worker process, so a leak in the pipeline or in
Blender can only show as a worker that grows with the job index if something
outlives the process (a cache on disk, the driver handing more to each worker);
the driver itself lives for the whole run, and its RSS after each job is the
other thing watched. Vegetation is thinned (forest: trees 0.3, grass 0.1,
undergrowth 0.2; desert: vegetation 0.3; meadow: 5 rocks, grass 0.1, flowers 0.2, trees 0.3) so a job is mostly
fixed cost.

Prints JSON: per job its scene, worker peak RSS (``peak_rss_mb`` from the
manifest), wall seconds seen by the driver (process start to record), seconds
inside the worker and the worker's CPU seconds, the driver's RSS after it; then
the RSS slopes in MB per job: per scene, pooled over scenes (each scene its own
level, one common slope) and the driver's, and ``grows``: whether the pooled
worker slope or the driver slope, times the job count, exceeds 20 MB and 5 % of
the mean. With ``--budget-s S`` no new job starts once S seconds have passed (the
running one finishes), so a shared machine can measure as many jobs as fit; the
JSON then says how many ran (``done``) of ``count``.
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

import numpy as np

from wildsynth.dataset.jobs import make_spec
from wildsynth.dataset.manifest import read_manifest
from wildsynth.dataset.runners import generate_dataset
from wildsynth.dataset.stop import Stop

THIN = {"forest": ["tree_density=0.3", "grass_density=0.1", "undergrowth=0.2"], "desert": ["vegetation=0.3"],
        "meadow": ["rocks.count=5", "grass_density=0.1", "flower_density=0.2", "tree_density=0.3"]}


def cpu_seconds() -> float:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def rss_mb() -> float:
    """This process's resident set now (Linux /proc; the peak elsewhere)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def slope(x: np.ndarray, y: np.ndarray) -> float:
    """Least-squares slope of y over x (0 with fewer than two distinct x)."""
    if len(x) < 2 or np.ptp(x) == 0:
        return 0.0
    xc = x - x.mean()
    return float((xc * (y - y.mean())).sum() / (xc * xc).sum())


def pooled_slope(groups: list[tuple[np.ndarray, np.ndarray]]) -> float:
    """One slope common to every group, each group with its own level (within-group regression)."""
    num = sum(float(((x - x.mean()) * (y - y.mean())).sum()) for x, y in groups if len(x) > 1)
    den = sum(float(((x - x.mean()) ** 2).sum()) for x, y in groups if len(x) > 1)
    return num / den if den > 0 else 0.0


def grows(per_job: float, n: int, mean: float) -> bool:
    return per_job * max(n - 1, 1) > max(20.0, 0.05 * mean)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=100)
    ap.add_argument("--resolution", default="32x24")
    ap.add_argument("--samples", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--scenes", default="meadow,desert,canyon,forest", help="comma list (equal weights)")
    ap.add_argument("--out", type=Path, default=None, help="dataset root (default: a temporary folder)")
    ap.add_argument("--budget-s", type=float, default=None, help="start no job after this many seconds")
    a = ap.parse_args()
    width, height = (int(v) for v in a.resolution.lower().split("x"))
    names = [s for s in a.scenes.split(",") if s]
    root = a.out or Path(tempfile.mkdtemp(prefix="wildsynth-soak-"))
    spec = make_spec(scenes={n: 1.0 for n in names}, seed=a.seed, count=a.count,
                     overrides={n: THIN[n] for n in names if n in THIN},
                     render={"width": width, "height": height, "samples": a.samples}, out=root)
    driver_rss: dict[str, float] = {}
    stop = Stop()
    t0, c0 = time.perf_counter(), cpu_seconds()

    def on_result(rec: dict) -> None:
        driver_rss[rec["id"]] = round(rss_mb(), 1)
        if a.budget_s is not None and time.perf_counter() - t0 > a.budget_s:
            stop.request(f"time budget of {a.budget_s:g} s spent", urgent=False)  # no new job

    summary = generate_dataset(spec, workers=1, progress=False, on_result=on_result, stop=stop)
    wall, cpu = time.perf_counter() - t0, cpu_seconds() - c0

    recs = [r for r in read_manifest(root) if r["id"] in driver_rss]  # this run's records, in job order
    jobs = [{"index": i, "id": r["id"], "scene": r["scene"], "status": r["status"],
             "peak_rss_mb": r.get("peak_rss_mb"), "wall_s": r.get("wall_s"), "seconds": r.get("seconds"),
             "cpu_s": r.get("cpu_s"), "driver_rss_mb": driver_rss[r["id"]]} for i, r in enumerate(recs)]
    ok = [j for j in jobs if j["status"] == "done" and j["peak_rss_mb"] is not None]
    per_scene, groups = {}, []
    for name in names:
        mine = [j for j in ok if j["scene"] == name]
        if not mine:
            continue
        x = np.array([j["index"] for j in mine], float)
        y = np.array([j["peak_rss_mb"] for j in mine], float)
        groups.append((x, y))
        per_scene[name] = {"jobs": len(mine), "peak_rss_mb_mean": round(float(y.mean()), 1),
                           "peak_rss_mb_min": round(float(y.min()), 1), "peak_rss_mb_max": round(float(y.max()), 1),
                           "slope_mb_per_job": round(slope(x, y), 3),
                           "wall_s_mean": round(float(np.mean([j["wall_s"] for j in mine])), 2),
                           "cpu_s_mean": round(float(np.mean([j["cpu_s"] for j in mine])), 2)}
    worker_slope = pooled_slope(groups)
    worker_mean = float(np.mean([j["peak_rss_mb"] for j in ok])) if ok else 0.0
    dx = np.array([j["index"] for j in jobs], float)
    dy = np.array([j["driver_rss_mb"] for j in jobs], float)
    driver_slope = slope(dx, dy)
    out = {
        "benchmark": "bench_soak", "host": platform.node(), "cpus": os.cpu_count(), "root": str(root),
        "count": a.count, "resolution": [width, height], "samples": a.samples, "scenes": names, "workers": 1,
        "done": summary.done, "failed": summary.failed, "skipped": summary.skipped,
        "budget_s": a.budget_s, "stopped": stop.reason,
        "wall_s": round(wall, 2), "cpu_s": round(cpu, 2),
        "jobs_per_hour": round(3600.0 * summary.done / wall, 1) if wall > 0 else None,
        "per_scene": per_scene,
        "worker_peak_rss_slope_mb_per_job": round(worker_slope, 3),
        "driver_rss_mb_first_last": [float(dy[0]), float(dy[-1])] if len(dy) else None,
        "driver_rss_slope_mb_per_job": round(driver_slope, 3),
        "grows": {"worker": grows(worker_slope, len(ok), worker_mean),
                  "driver": grows(driver_slope, len(jobs), float(dy.mean()) if len(dy) else 0.0)},
        "jobs": jobs,
    }
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
