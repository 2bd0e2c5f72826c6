"""The renderer interface: importable without Blender, validated pass types, the backend registry."""

import subprocess
import sys

import numpy as np
import pytest

from wildsynth.render import RENDERERS, GTPasses, Renderer, RGBPass, make_renderer, register_renderer
from wildsynth.render.settings import RenderSettings

pytestmark = pytest.mark.blender  # renders with Cycles


def test_interface_imports_without_bpy():
    code = ("import sys, wildsynth.render.base, wildsynth.render, wildsynth.render.devices as d; "
            "d.count_gpus(); d.worker_gpu_env(1, 2); assert 'bpy' not in sys.modules, 'bpy was imported'")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def _rgb(h=4, w=6):
    return RGBPass(np.zeros((h, w, 3), np.float32), np.zeros((h, w, 3), np.uint8))


def _gt(h=4, w=6):
    return GTPasses(np.full((h, w), np.inf, np.float32), np.zeros((h, w, 3), np.float32), np.zeros((h, w), np.uint32))


def test_pass_types_check_dtype_and_shape():
    assert _rgb().linear.shape == (4, 6, 3) and _gt().instance.dtype == np.uint32
    with pytest.raises(ValueError, match="RGBPass.display"):
        RGBPass(np.zeros((4, 6, 3), np.float32), np.zeros((4, 6, 3), np.float32))
    with pytest.raises(ValueError, match="differ in size"):
        RGBPass(np.zeros((4, 6, 3), np.float32), np.zeros((4, 5, 3), np.uint8))
    with pytest.raises(ValueError, match="GTPasses.instance"):
        GTPasses(np.zeros((4, 6), np.float32), np.zeros((4, 6, 3), np.float32), np.zeros((4, 6), np.int64))
    with pytest.raises(ValueError, match="GTPasses.normal_world"):
        GTPasses(np.zeros((4, 6), np.float32), np.zeros((4, 6), np.float32), np.zeros((4, 6), np.uint32))
    with pytest.raises(ValueError, match="differ in size"):
        GTPasses(np.zeros((4, 6), np.float32), np.zeros((4, 6, 3), np.float32), np.zeros((3, 6), np.uint32))


class FakeRenderer(Renderer):
    """A backend without Blender: answers with empty passes of the settings' size."""

    def __init__(self, scene, settings, seed=0):
        self.scene, self.settings, self.seed = scene, settings, seed
        self.device_used, self.closed, self.t = "cpu", False, None

    def set_time(self, motions, t):
        self.t = t

    def render_rgb(self, camera, progress=None):
        if progress:
            progress(1.0)
        return _rgb(self.settings.height, self.settings.width)

    def render_gt(self, camera):
        return _gt(self.settings.height, self.settings.width)

    def close(self):
        self.closed = True


def test_registry_makes_a_registered_backend(monkeypatch):
    monkeypatch.setitem(RENDERERS, "fake", FakeRenderer)
    settings = RenderSettings(width=12, height=8)
    with make_renderer("scene", settings, seed=7, backend="fake") as r:
        assert isinstance(r, FakeRenderer) and isinstance(r, Renderer) and r.seed == 7
        r.set_time(None, 0.5)
        done = []
        assert r.render_rgb(None, progress=done.append).display.shape == (8, 12, 3) and done == [1.0]
        assert r.render_gt(None).depth.shape == (8, 12)
    assert r.closed and r.t == 0.5


def test_registry_lazy_path_and_errors(monkeypatch):
    monkeypatch.setitem(RENDERERS, "lazy", f"{__name__}:FakeRenderer")
    r = make_renderer("scene", RenderSettings(width=8, height=8), 1, backend="lazy")
    assert type(r).__name__ == "FakeRenderer" and r.seed == 1
    assert RENDERERS["lazy"] == f"{__name__}:FakeRenderer"  # never replaced by the class (bpy exit hang)
    with pytest.raises(ValueError, match="unknown renderer 'nope'.*cycles"):
        make_renderer("scene", RenderSettings(), 0, backend="nope")
    with pytest.raises(ValueError, match="module:attr"):
        register_renderer("bad", "no_colon_here")
    assert "bad" not in RENDERERS
    assert RENDERERS["cycles"] == "wildsynth.render.cycles:CyclesRenderer"  # built in, lazy: no bpy until used


def test_settings_device_is_validated():
    assert RenderSettings().device == "auto"
    assert RenderSettings(device="optix").device == "optix"
    with pytest.raises(ValueError, match="device"):
        RenderSettings(device="vulkan")
