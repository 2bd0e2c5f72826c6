"""Child of bench_layouts.py: times the field's real loaders reading exports; pickles samples/s per request.

    python benchmarks/loader_timing.py REQUESTS RESULTS [TORCHVISION_SOURCES]

Each request is {"cls", "root", "kwargs", "repeat"}. torchvision's dataset classes are built exactly as
tests/layouts/torchvision_probe.py builds them (its stand-in packages when TORCHVISION_SOURCES is given,
see tests/layouts/torchvision_real.py); ``cls == "pycolmap"`` loads ``root`` (a sparse model folder) with
pycolmap.Reconstruction. Every sample is read ``repeat`` times (the first pass warms the page cache); the
best pass is reported, wall and CPU seconds. Each sample's elements are made arrays (images decoded), as a
training loop's transform would.
"""

from __future__ import annotations

import importlib
import pickle
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.layouts.torchvision_probe import CLASSES, _stand_in  # noqa: E402


def _classes(src: str | None) -> dict:
    if src:
        _stand_in(Path(src))
        flow = importlib.import_module("torchvision.datasets._optical_flow")
        stereo = importlib.import_module("torchvision.datasets._stereo_matching")
        return {n: getattr(flow, n, None) or getattr(stereo, n) for n in CLASSES}
    import torchvision.datasets as tvd

    return {n: getattr(tvd, n) for n in CLASSES}


def _materialise(sample) -> list:
    """Every element of a sample as an array: torchvision's stereo classes return PIL images that
    ``Image.open`` has not decoded yet (RGB PNGs are not converted), which a training loop's transform would."""
    import numpy as np

    return [None if x is None else np.asarray(x) for x in sample]


def _time(read, n: int, repeat: int) -> dict:
    best = None
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        for i in range(n):
            read(i)
        wall, cpu = time.perf_counter() - w0, time.process_time() - c0
        if best is None or wall < best[0]:
            best = (wall, cpu)
    wall, cpu = best
    return {"samples": n, "wall_s": round(wall, 4), "cpu_s": round(cpu, 4), "samples_per_s": round(n / wall, 1),
            "samples_per_cpu_s": round(n / max(cpu, 1e-9), 1)}


def main(req: str, res: str, src: str | None = None) -> None:
    classes = None
    out = {}
    for name, r in pickle.loads(Path(req).read_bytes()).items():
        if r["cls"] == "pycolmap":
            import pycolmap

            models = []
            out[name] = _time(lambda i: models.append(pycolmap.Reconstruction(r["root"])), 1, r["repeat"])
            out[name]["points3D"] = len(models[-1].points3D)
            continue
        classes = classes or _classes(src)
        ds = classes[r["cls"]](r["root"], **r.get("kwargs", {}))
        out[name] = _time(lambda i: _materialise(ds[i]), len(ds), r["repeat"])
    Path(res).write_bytes(pickle.dumps(out))


if __name__ == "__main__":
    main(*sys.argv[1:])
