"""Motion blur (``RenderSettings.shutter``): the RGB averages renders across the open shutter, the
camera interpolated between the rigs' times; the ground truth stays the frame time's pinhole."""

import numpy as np
import pytest

from wildsynth.core import Camera, look_at
from wildsynth.render.settings import RenderSettings

W, H = 64, 40


def test_toward_interpolates_and_extrapolates_position_and_rotation():
    a = Camera.from_hfov(W, H, 60.0, look_at([0.0, 0.0, 1.0], [0.0, 5.0, 1.0]))
    b = Camera.from_hfov(W, H, 60.0, look_at([2.0, 0.0, 1.0], [2.0 + 5.0 * np.sin(0.4), 5.0 * np.cos(0.4), 1.0]))
    np.testing.assert_allclose(a.toward(b, 0.0).cam_to_world, a.cam_to_world, atol=1e-12)
    np.testing.assert_allclose(a.toward(b, 1.0).cam_to_world, b.cam_to_world, atol=1e-12)
    for w in (0.25, 0.5, -0.5, 1.5):
        m = a.toward(b, w)
        np.testing.assert_allclose(m.position, [2.0 * w, 0.0, 1.0], atol=1e-12)
        fwd = m.cam_to_world[:3, 2]  # OpenCV: +z is the viewing direction
        assert np.isclose(np.arctan2(fwd[0], fwd[1]), 0.4 * w, atol=1e-9)
        r = m.cam_to_world[:3, :3]
        np.testing.assert_allclose(r.T @ r, np.eye(3), atol=1e-12)
    np.testing.assert_array_equal(a.toward(b, 0.5).K, a.K)


@pytest.mark.blender
def test_a_sideways_shutter_blurs_across_and_leaves_the_ground_truth():
    from wildsynth.render.cycles import CyclesRenderer

    from .test_camera_effects import small_scene

    left = Camera.from_hfov(W, H, 60.0, look_at([-0.25, -0.5, 1.0], [-0.25, 6.0, 0.4]))
    right = Camera.from_hfov(W, H, 60.0, look_at([0.25, -0.5, 1.0], [0.25, 6.0, 0.4]))
    mid = left.toward(right, 0.5)
    posed: list = []
    shutter = [(left.toward(right, w), lambda w=w: posed.append(w)) for w in (0.125, 0.375, 0.625, 0.875)]
    settings = RenderSettings(width=W, height=H, samples=32, denoise=False, exposure=0.0, shutter=0.5, shutter_steps=4)
    with CyclesRenderer(small_scene(), settings) as r:
        gt0 = r.render_gt(mid)
        blurred = r.render_rgb(mid, shutter=shutter)  # 4 renders of 8 samples
        still = r.render_rgb(mid, shutter=[(mid, lambda: None)] * 4)  # the same samples, the camera still
        each = [r.render_rgb(cam).linear for cam, _ in shutter]  # 32 samples at each time
        plain = r.render_rgb(mid)
        gt1 = r.render_gt(mid)
    assert posed == [0.125, 0.375, 0.625, 0.875]  # each pose before its render, in order
    assert blurred.film["shutter"] == {"open": 0.5, "renders": 4} and plain.film["shutter"]["renders"] == 1
    np.testing.assert_array_equal(gt1.depth, gt0.depth)
    np.testing.assert_array_equal(gt1.instance, gt0.instance)
    # the camera slid 0.5 m sideways with the shutter open: the picture is the mean of the pictures
    # at the four times (to the noise of 8 samples), far from the still camera's
    def coarse(x):  # 4x4-pixel means: the sampling noise down fourfold, the motion kept
        return x.reshape(H // 4, 4, W // 4, 4, 3).mean(axis=(1, 3))

    mean = coarse(np.mean(each, axis=0))
    to_mean = np.abs(coarse(blurred.linear) - mean).mean()
    still_to_mean = np.abs(coarse(still.linear) - mean).mean()
    assert to_mean < 0.5 * still_to_mean, (to_mean, still_to_mean)
    assert abs(blurred.linear.mean() / plain.linear.mean() - 1.0) < 0.05  # the same light


@pytest.mark.blender
@pytest.mark.slow
def test_a_blurred_sequence_keeps_its_ground_truth(tmp_path):
    from wildsynth.io import read_exr, read_json
    from wildsynth.run import RunOptions, RunSpec, run
    from wildsynth.scenes import get

    params = get("meadow").params.model_validate({"rocks": {"count": 30}, "grass_density": 0, "flower_density": 0,
                                                  "tree_density": 0, "pond": {"enabled": False}})
    opts = RunOptions(shot={"frames": 2, "fps": 4, "trajectory": {"kind": "walk", "speed": 4.0}})
    out = {}
    for shutter in (0.0, 0.5):
        rs = RenderSettings(width=48, height=32, samples=4, denoise=False, shutter=shutter, shutter_steps=2)
        out[shutter] = tmp_path / f"s{shutter}"
        run(RunSpec("meadow", 1, params, rs, out[shutter], opts))
    for frame in ("000000", "000001"):
        (d0,), (d1,) = list(out[0.0].glob(f"*/{frame}")), list(out[0.5].glob(f"*/{frame}"))
        np.testing.assert_array_equal(read_exr(d1 / "depth.exr")["Z"], read_exr(d0 / "depth.exr")["Z"])
        assert read_json(d1 / "frame.json")["film"]["shutter"] == {"open": 0.5, "renders": 2}
        assert read_json(d0 / "frame.json")["film"]["shutter"] == {"open": 0.0, "renders": 1}
        i0 = read_exr(d0 / "image.exr", separate=True)["R"]
        i1 = read_exr(d1 / "image.exr", separate=True)["R"]
        assert np.abs(i1 - i0).mean() > 1e-3  # the picture moved
