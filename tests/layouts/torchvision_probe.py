"""Child process of ``torchvision_real.run_loaders``: builds torchvision's dataset classes on export roots and
pickles what they return. ``python torchvision_probe.py REQUESTS RESULTS [TORCHVISION_SOURCES]``.

With TORCHVISION_SOURCES (unpacked ``torchvision/`` Python files of the release paired with torch), the
dataset modules are imported from there under bare packages (see ``torchvision_real.py``); without it,
``import torchvision`` is used as installed.
"""

from __future__ import annotations

import importlib
import pickle
import sys
import types
from pathlib import Path

import numpy as np

CLASSES = ("Sintel", "FlyingThings3D", "KittiFlow", "Kitti2015Stereo", "SceneFlowStereo", "ETH3DStereo")


def _stand_in(src: Path) -> None:
    import imagecodecs
    import torch

    for name in ("torchvision", "torchvision.io", "torchvision.datasets"):
        pkg = types.ModuleType(name)
        pkg.__path__ = [str(src / name.replace(".", "/"))]
        sys.modules[name] = pkg
    sys.modules["torchvision"].get_image_backend = lambda: "PIL"  # torchvision's default backend

    image = types.ModuleType("torchvision.io.image")

    def read_file(path: str) -> torch.Tensor:
        return torch.frombuffer(bytearray(Path(path).read_bytes()), dtype=torch.uint8)

    def decode_png(data: torch.Tensor, *args, **kwargs) -> torch.Tensor:
        a = imagecodecs.png_decode(data.numpy().tobytes())  # stored bit depth, channels in file order
        a = a[:, :, None] if a.ndim == 2 else a
        return torch.from_numpy(np.ascontiguousarray(a.transpose(2, 0, 1)))

    image.read_file, image.decode_png = read_file, decode_png
    sys.modules["torchvision.io.image"] = image


def _array(x):
    return np.asarray(x) if x is not None else None


def main(req: str, res: str, src: str | None = None) -> None:
    if src:
        _stand_in(Path(src))
        flow = importlib.import_module("torchvision.datasets._optical_flow")
        stereo = importlib.import_module("torchvision.datasets._stereo_matching")
        classes = {n: getattr(flow, n, None) or getattr(stereo, n) for n in CLASSES}
    else:
        import torchvision.datasets as tvd

        classes = {n: getattr(tvd, n) for n in CLASSES}
    out = {}
    for name, r in pickle.loads(Path(req).read_bytes()).items():
        ds = classes[r["cls"]](r["root"], **r.get("kwargs", {}))
        lists = {k: list(getattr(ds, k)) for k in ("_image_list", "_flow_list", "_images", "_disparities")
                 if hasattr(ds, k)}
        out[name] = {"len": len(ds), "lists": lists, "module": type(ds).__module__,
                     "samples": [tuple(_array(x) for x in ds[i]) for i in range(len(ds))]}
    Path(res).write_bytes(pickle.dumps(out))


if __name__ == "__main__":
    main(*sys.argv[1:])
