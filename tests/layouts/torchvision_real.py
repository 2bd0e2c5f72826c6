"""Run torchvision's real dataset classes (``Sintel``, ``FlyingThings3D``, ``KittiFlow``, ``Kitti2015Stereo``,
``SceneFlowStereo``) on an export, beside the CPU torch of these machines.

Why not ``import torchvision``: the torchvision wheels on PyPI are CUDA builds. Their compiled parts
(``torchvision/_C.so``, ``image.so``) link ``libc10_cuda.so`` and do not load beside the CPU torch
(``pip install torch==2.13.0`` installs a CPU build here), and ``import torchvision`` then fails in
``torchvision/_meta_registrations.py`` with "operator torchvision::nms does not exist".

How the real code runs anyway (``torchvision_datasets_root``):

1. If ``import torchvision`` works in a fresh interpreter (a CPU build is installed), it is used as it is.
2. Otherwise ``pip download torchvision==<the release paired with the installed torch> --no-deps``
   (torch 2.13 -> torchvision 0.28.0; minor + 15 in general) into a cache folder
   (``$WILDSYNTH_CACHE``, default ``~/.cache/wildsynth``), and its Python files are unpacked there
   (``torchvision-<version>/torchvision/...``; no compiled file is unpacked or loaded).
3. The loaders run in a child interpreter (``torchvision_probe.py``), so no test process ever holds a
   stand-in ``torchvision``. There, ``torchvision``, ``torchvision.io`` and ``torchvision.datasets``
   are bare package objects whose ``__path__`` is the unpacked folder (their ``__init__`` would load
   the compiled ops), and ``torchvision.datasets._optical_flow`` / ``_stereo_matching`` are imported
   from it unchanged, with their own ``folder``, ``utils`` and ``vision`` modules and
   ``torchvision/utils.py``: globbing, sorting, pairing, ``.flo``/PFM reading and PIL image loading are
   torchvision's own. Two things the compiled or top-level package provides are stood in:
   ``torchvision.io.image.read_file``/``decode_png`` (the KITTI 16-bit flow PNG) decode with
   imagecodecs' libpng into the same (C, H, W) tensor of the stored dtype, and
   ``torchvision.get_image_backend()`` returns ``"PIL"`` (the default that ``default_loader`` asks for).
"""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

PROBE = Path(__file__).with_name("torchvision_probe.py")


def torchvision_version() -> str:
    import torch

    major, minor = (int(x) for x in torch.__version__.split("+")[0].split(".")[:2])
    if major != 2:
        raise RuntimeError(f"no known torchvision release for torch {torch.__version__}")
    return f"0.{minor + 15}.0"


def _cache() -> Path:
    return Path(os.environ.get("WILDSYNTH_CACHE", Path.home() / ".cache" / "wildsynth"))


def _importable() -> bool:
    r = subprocess.run([sys.executable, "-c", "import torchvision"], capture_output=True, timeout=300)
    return r.returncode == 0


def torchvision_sources() -> Path | None:
    """None when ``import torchvision`` works; else the folder holding the unpacked ``torchvision/`` sources."""
    if _importable():
        return None
    version = torchvision_version()
    root = _cache() / f"torchvision-{version}"
    if (root / "torchvision" / "datasets" / "_optical_flow.py").is_file():
        return root
    wheels = _cache() / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    found = sorted(wheels.glob(f"torchvision-{version}-*.whl"))
    if not found:
        r = subprocess.run([sys.executable, "-m", "pip", "download", f"torchvision=={version}", "--no-deps",
                            "--only-binary", ":all:", "-d", str(wheels)], capture_output=True, text=True, timeout=600)
        found = sorted(wheels.glob(f"torchvision-{version}-*.whl"))
        if r.returncode != 0 or not found:
            raise RuntimeError(f"pip download torchvision=={version} failed: {r.stderr[-2000:]}")
    tmp = root.with_name(root.name + f".tmp-{os.getpid()}")
    with zipfile.ZipFile(found[-1]) as z:
        for n in z.namelist():
            if n.startswith("torchvision/") and n.endswith(".py"):
                z.extract(n, tmp)
    if root.exists():  # another process unpacked it meanwhile
        shutil.rmtree(tmp)
    else:
        os.replace(tmp, root)
    return root


def run_loaders(requests: dict, out: Path) -> dict:
    """Run the probe on ``requests`` ({name: {"cls": class name, "root": path, "kwargs": {...}}});
    returns {name: {"len", "lists", "samples"}} as the probe pickled it."""
    src = torchvision_sources()
    req = out / "requests.pkl"
    res = out / "results.pkl"
    req.write_bytes(pickle.dumps(requests))
    cmd = [sys.executable, str(PROBE), str(req), str(res)] + ([str(src)] if src else [])
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        raise RuntimeError(f"torchvision probe failed:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}")
    return pickle.loads(res.read_bytes())
