"""Device choice, CPU fallback with one warning, one GPU per dataset worker."""

import logging
import os
import stat

import numpy as np
import pytest

from wildsynth.render import devices
from wildsynth.render.devices import choose_device, count_gpus, worker_gpu_env

pytestmark = pytest.mark.blender  # renders with Cycles

EVERYTHING = [("cuda", "GPU A"), ("optix", "GPU A"), ("hip", "GPU B"), ("metal", "M"), ("cpu", "CPU")]


def test_choose_device_prefers_the_best_backend():
    assert choose_device("auto", EVERYTHING) == ("optix", None)
    assert choose_device("auto", [("cuda", "A"), ("hip", "B"), ("cpu", "C")]) == ("cuda", None)
    assert choose_device("auto", [("metal", "M"), ("hip", "B"), ("cpu", "C")]) == ("hip", None)
    assert choose_device("auto", [("cpu", "C")]) == ("cpu", None)
    assert choose_device("cuda", EVERYTHING) == ("cuda", None)
    assert choose_device("cpu", EVERYTHING) == ("cpu", None)


def test_missing_backend_falls_back_to_cpu_with_a_note():
    kind, note = choose_device("optix", [("cuda", "A"), ("cpu", "C")])
    assert kind == "cpu" and "'optix'" in note and "cuda" in note and "\n" not in note
    kind, note = choose_device("metal", [("cpu", "C")])
    assert kind == "cpu" and "'metal'" in note and "none" in note
    with pytest.raises(ValueError, match="vulkan"):
        choose_device("vulkan", [("cpu", "C")])


def test_warn_once_logs_one_line(caplog):
    with caplog.at_level(logging.WARNING, logger="wildsynth.render"):
        for _ in range(3):
            devices.warn_once("test note: asked x, used y")
        devices.warn_once(None)
    assert [r.getMessage() for r in caplog.records] == ["test note: asked x, used y"]


def test_worker_gpu_env_round_robin(monkeypatch):
    for var in ("CUDA_VISIBLE_DEVICES", "HIP_VISIBLE_DEVICES"):
        monkeypatch.delenv(var, raising=False)
    got = [worker_gpu_env(i, 3)["CUDA_VISIBLE_DEVICES"] for i in range(7)]
    assert got == ["0", "1", "2", "0", "1", "2", "0"]
    assert worker_gpu_env(4, 3)["HIP_VISIBLE_DEVICES"] == "1"
    assert worker_gpu_env(5, 0) == {}
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "4,5")  # the driver itself is limited to two GPUs
    assert [worker_gpu_env(i, 2)["CUDA_VISIBLE_DEVICES"] for i in range(3)] == ["4", "5", "4"]
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")
    assert worker_gpu_env(0, 1) == {}


def test_count_gpus_without_blender(monkeypatch, tmp_path):
    for var in ("CUDA_VISIBLE_DEVICES", "HIP_VISIBLE_DEVICES"):
        monkeypatch.delenv(var, raising=False)
    smi = tmp_path / "nvidia-smi"
    smi.write_text("#!/bin/sh\necho 'GPU 0: NVIDIA H200 (UUID: GPU-a)'\necho 'GPU 1: NVIDIA H200 (UUID: GPU-b)'\n")
    smi.chmod(smi.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    assert count_gpus() == 2
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setattr(devices, "_NVIDIA_PROC", tmp_path / "no-driver")
    assert count_gpus() == 0
    (tmp_path / "driver" / "0000:01:00.0").mkdir(parents=True)
    monkeypatch.setattr(devices, "_NVIDIA_PROC", tmp_path / "driver")
    assert count_gpus() == 1
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "0,1,2,-1,3")  # CUDA stops at the first invalid id
    assert count_gpus() == 3


@pytest.mark.blender
def test_available_devices_of_this_machine():
    found = devices.available_devices()
    assert found[-1][0] == "cpu" and all(k in ("cpu", *devices.GPU_KINDS) for k, _ in found)
    kind, note = choose_device("auto")
    gpus = [k for k, _ in found if k != "cpu"]
    assert note is None and kind == (gpus[0] if gpus else "cpu")  # a machine without a GPU renders on the cpu
    kind, note = choose_device("cuda")
    if "cuda" in gpus:
        assert (kind, note) == ("cuda", None)
    else:
        assert kind == "cpu" and "'cuda'" in note


@pytest.mark.blender
def test_tiny_render_through_make_renderer(caplog):
    from conftest import build_tiny

    from wildsynth.render import GTPasses, RenderSettings, RGBPass, make_renderer
    from wildsynth.render.cycles import CyclesRenderer

    scene, rig = build_tiny(0, size=(48, 32))
    settings = RenderSettings(width=48, height=32, samples=2, denoise=False, device="cuda")
    has_cuda = "cuda" in [k for k, _ in devices.available_devices()]
    devices._warned.clear()
    with caplog.at_level(logging.WARNING, logger="wildsynth.render"):
        with make_renderer(scene, settings, seed=3) as r:
            assert isinstance(r, CyclesRenderer)
            gt = r.render_gt(rig.main)
            rgb = r.render_rgb(rig.main)
    assert isinstance(gt, GTPasses) and isinstance(rgb, RGBPass)
    assert rgb.linear.shape == rgb.display.shape == (32, 48, 3) and gt.depth.shape == gt.instance.shape == (32, 48)
    assert np.isfinite(gt.depth).any() and (gt.instance > 0).any() and rgb.display.max() > 0
    if has_cuda:
        assert r.device_used.startswith("cuda:") and r.device_note is None and not caplog.records
    else:
        assert r.device_used == "cpu" and "'cuda'" in r.device_note
        assert [rec.getMessage() for rec in caplog.records] == [r.device_note]
