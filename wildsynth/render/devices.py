"""Render devices: which Cycles backends this machine has, which one to use, one GPU per worker.

``count_gpus`` and ``worker_gpu_env`` never load Blender (dataset drivers call
them before starting workers); ``available_devices``, ``choose_device`` and
``use_device`` ask Cycles' preferences, so bpy is imported inside them.
"""

from __future__ import annotations

import functools
import logging
import os
import shutil
import subprocess
from pathlib import Path
from typing import Optional

log = logging.getLogger("wildsynth.render")

GPU_KINDS = ("optix", "cuda", "hip", "metal")  # best first: what "auto" prefers
_VISIBLE_VARS = ("CUDA_VISIBLE_DEVICES", "HIP_VISIBLE_DEVICES")
_NVIDIA_PROC = Path("/proc/driver/nvidia/gpus")  # one folder per GPU the NVIDIA driver sees
_warned: set[str] = set()


def _cycles_prefs():
    import bpy

    return bpy.context.preferences.addons["cycles"].preferences


@functools.lru_cache(maxsize=1)
def _enumerate() -> tuple[tuple[str, str], ...]:
    prefs = _cycles_prefs()
    prefs.refresh_devices()  # Blender does not probe drivers by itself
    found = [(d.type.lower(), d.name) for d in prefs.devices]
    gpus = sorted((d for d in found if d[0] in GPU_KINDS), key=lambda d: GPU_KINDS.index(d[0]))
    cpu = next((d for d in found if d[0] == "cpu"), ("cpu", "CPU"))
    return (*gpus, cpu)


def available_devices() -> list[tuple[str, str]]:
    """``(kind, name)`` of every Cycles device, best GPU backend first, the CPU last (cached).

    One physical NVIDIA GPU appears twice, as ``optix`` and as ``cuda``.
    """
    return list(_enumerate())


def choose_device(requested: str, available: Optional[list[tuple[str, str]]] = None) -> tuple[str, Optional[str]]:
    """The device kind to render on and, when ``requested`` could not be honoured, a one-line note why.

    ``auto`` takes the best available backend (optix > cuda > hip > metal > cpu);
    a named backend that is missing falls back to the CPU.
    """
    kinds = {k for k, _ in (available_devices() if available is None else available)}
    if requested == "auto":
        return next((k for k in GPU_KINDS if k in kinds), "cpu"), None
    if requested == "cpu" or requested in kinds:
        return requested, None
    if requested not in GPU_KINDS:
        raise ValueError(f"render device {requested!r} is not one of auto, cpu, {', '.join(GPU_KINDS)}")
    gpus = [k for k in GPU_KINDS if k in kinds]
    return "cpu", (f"render device {requested!r} was requested but is not available "
                   f"(GPU backends here: {', '.join(gpus) or 'none'}); rendering on the cpu")


def warn_once(note: Optional[str]) -> None:
    """Log ``note`` on stderr, once per process (a dataset worker renders many frames)."""
    if note and note not in _warned:
        _warned.add(note)
        log.warning(note)


def use_device(bscene, requested: str) -> tuple[str, Optional[str]]:
    """Make Cycles render ``bscene`` on the chosen device; returns (device used, fallback note).

    The device used reads ``"cpu"`` or ``"kind:name[, name...]"``, e.g. ``"optix:NVIDIA H200"``.
    Only the chosen backend's devices are enabled (not the CPU beside them, which
    slows a GPU render down more often than it helps).
    """
    kind, note = choose_device(requested)
    warn_once(note)
    if kind == "cpu":
        bscene.cycles.device = "CPU"
        return "cpu", note
    prefs = _cycles_prefs()
    prefs.refresh_devices()  # Blender's factory reset (a fresh scene) empties the device list
    prefs.compute_device_type = kind.upper()
    names = []
    for d in prefs.devices:
        d.use = d.type == kind.upper()
        if d.use:
            names.append(d.name)
    if not names:  # listed a moment ago, gone after the refresh: never render on nothing
        note = f"render device {kind!r} has no usable device; rendering on the cpu"
        warn_once(note)
        bscene.cycles.device = "CPU"
        return "cpu", note
    bscene.cycles.device = "GPU"
    return f"{kind}:{', '.join(names)}", note


def _visible_ids() -> Optional[list[str]]:
    """The GPU ids this process may use, from CUDA/HIP_VISIBLE_DEVICES; None when neither is set."""
    for var in _VISIBLE_VARS:
        value = os.environ.get(var)
        if value is not None:
            ids = []
            for part in (p.strip() for p in value.split(",")):
                if not part or part.startswith("-"):  # like CUDA: stop at the first invalid entry
                    break
                ids.append(part)
            return ids
    return None


def count_gpus() -> int:
    """How many GPUs this process may use, without loading Blender.

    Honours CUDA_VISIBLE_DEVICES / HIP_VISIBLE_DEVICES when set; otherwise counts
    ``nvidia-smi -L`` lines, or the NVIDIA driver's /proc entries; 0 when neither answers.
    """
    visible = _visible_ids()
    if visible is not None:
        return len(visible)
    smi = shutil.which("nvidia-smi")
    if smi:
        try:
            out = subprocess.run([smi, "-L"], capture_output=True, text=True, timeout=20).stdout
            return sum(line.startswith("GPU ") for line in out.splitlines())
        except (OSError, subprocess.SubprocessError):
            pass
    return sum(1 for _ in _NVIDIA_PROC.iterdir()) if _NVIDIA_PROC.is_dir() else 0


def worker_gpu_env(worker_index: int, n_gpus: int) -> dict[str, str]:
    """Environment for dataset worker ``worker_index`` so that it sees one GPU (round-robin over ``n_gpus``).

    The ids are taken from this process's own CUDA/HIP_VISIBLE_DEVICES when it has one,
    so a driver limited to GPUs "4,5" hands out 4 and 5. Empty when ``n_gpus`` is 0.
    """
    if n_gpus <= 0:
        return {}
    visible = _visible_ids()
    ids = visible[:n_gpus] if visible is not None else [str(i) for i in range(n_gpus)]
    if not ids:
        return {}
    gpu = ids[worker_index % len(ids)]
    return {var: gpu for var in _VISIBLE_VARS}
