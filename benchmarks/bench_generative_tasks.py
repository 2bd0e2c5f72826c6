"""Dataset tasks: pairs, clips and novel-view tuples per hour; prints JSON.

    nice -n 10 python benchmarks/bench_generative_tasks.py [--tasks pairs,clips,nvs] [--count 2]
        [--scene desert] [--samples 16] [--pairs-resolution 256x256] [--clips-resolution 128x96]

Each task is one fresh ``wildsynth dataset generate --task TASK`` process with one local worker
(the driver, and one spawned worker process per job: bpy import, the scene build, every render
and the task's files included); wall and CPU seconds and peak RSS are the driver's and its
children's (``os.wait4``; RSS is the largest single process). Items per hour = count / wall x
3600 (a clip or an nvs tuple counts as one item). On a shared machine read CPU seconds beside wall.
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

DEFAULT_OPTIONS = {"pairs": [], "clips": ["frames=8", "fps=8"], "nvs": ["targets=1", "distance=0.5"]}


def run(task: str, count: int, scene: str, resolution: str, samples: int, options: list[str], out: Path) -> dict:
    cmd = [sys.executable, "-m", "wildsynth.cli", "dataset", "generate", "--task", task, "--scenes", scene,
           "--count", str(count), "--resolution", resolution, "--samples", str(samples), "--out", str(out)]
    for o in options:
        cmd += ["--task-option", o]
    t0 = time.time()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.time() - t0
    err = p.stderr.read().decode()[-400:] if p.stderr else ""
    if status != 0:
        raise SystemExit(f"wildsynth dataset generate --task {task} failed ({status}): {err}")
    recs = [json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines() if line.strip()]
    done = [r for r in recs if r["status"] == "done"]
    worker_rss = max((r.get("peak_rss_mb") or 0.0) for r in done) if done else None
    per_job = [r["seconds"] for r in done]
    cpu = ru.ru_utime + ru.ru_stime
    return {"task": task, "scene": scene, "resolution": resolution, "samples": samples, "options": options,
            "count": count, "done": len(done), "wall_s": round(wall, 2), "cpu_s": round(cpu, 2),
            "peak_rss_mb": round(max(ru.ru_maxrss / 1024.0, worker_rss or 0.0), 1),
            "job_seconds": per_job, "items_per_hour": round(len(done) / wall * 3600.0, 1),
            "items_per_cpu_hour": round(len(done) / max(cpu, 1e-9) * 3600.0, 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tasks", default="pairs,clips")
    ap.add_argument("--count", type=int, default=2)
    ap.add_argument("--scene", default="desert")
    ap.add_argument("--samples", type=int, default=16)
    ap.add_argument("--pairs-resolution", default="256x256")
    ap.add_argument("--clips-resolution", default="128x96")
    ap.add_argument("--nvs-resolution", default="256x192")
    a = ap.parse_args()
    res = {"benchmark": "generative_tasks", "cpus": os.cpu_count(), "runs": []}
    with tempfile.TemporaryDirectory(prefix="ws-tasks-") as tmp:
        for task in a.tasks.split(","):
            resolution = getattr(a, f"{task}_resolution")
            res["runs"].append(run(task, a.count, a.scene, resolution, a.samples, DEFAULT_OPTIONS[task],
                                   Path(tmp) / task))
    print(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()
