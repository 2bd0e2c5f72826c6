"""Geometry of `wildsynth.stereo.from_mono`: shifts, occlusion, holes, masks, sharpening."""

import numpy as np
import pytest

from wildsynth.stereo import StereoInputError, StereoParams, from_mono, sharpen_disparity
from wildsynth.stereo.fill import match_colour_stats
from wildsynth.stereo.sharpen import flying_pixels

H, W = 24, 48
FB = 60.0  # focal * baseline, so depth z gives disparity 60 / z


def texture(seed=0, h=H, w=W):
    return np.random.default_rng(seed).random((h, w, 3)).astype(np.float32)


def metric(**kw):
    return dict(focal=FB, baseline=1.0, **kw)


def test_fronto_parallel_plane_shifts_by_integer_disparity():
    left = texture()
    pair = from_mono(left, np.full((H, W), FB / 7), 0, **metric())
    assert np.allclose(pair.disparity, 7)
    np.testing.assert_allclose(pair.right[:, : W - 7], left[:, 7:], atol=1e-6)
    expect_holes = np.zeros((H, W), bool)
    expect_holes[:, W - 7:] = True  # the strip the left camera never saw
    np.testing.assert_array_equal(pair.holes, expect_holes)
    occl = np.zeros((H, W), bool)
    occl[:, :7] = True  # these left pixels leave the right view
    np.testing.assert_array_equal(pair.occluded, occl)


def test_fronto_parallel_plane_fractional_disparity_interpolates_linearly():
    left = texture(1)
    pair = from_mono(left, np.full((H, W), FB / 5.25), 0, **metric())
    # x' = x - 5.25: right[t] = 0.75 * left[t + 5] + 0.25 * left[t + 6]
    expect = 0.75 * left[:, 5:W - 1] + 0.25 * left[:, 6:W]
    np.testing.assert_allclose(pair.right[:, : W - 6], expect, atol=1e-5)
    # pixel-centre rule: right column t sees left x = t + 5.75, inside iff t <= W - 6
    assert not pair.holes[:, : W - 5].any() and pair.holes[:, W - 5:].all()


def square_scene():
    z = np.full((H, W), FB / 4.0)  # background, disparity 4
    z[6:18, 20:30] = FB / 12.0  # near square, disparity 12
    return z


def test_near_square_occludes_far_plane():
    left = texture(2)
    pair = from_mono(left, square_scene(), 0, **metric())
    r = pair.right
    # the square moves by 12, the background by 4
    np.testing.assert_allclose(r[6:18, 8:18], left[6:18, 20:30], atol=1e-6)
    np.testing.assert_allclose(r[:6, : W - 4], left[:6, 4:], atol=1e-6)
    np.testing.assert_allclose(r[6:18, 26: W - 4], left[6:18, 30:], atol=1e-6)
    # background just left of the square lands behind it: hidden, marked occluded
    assert pair.occluded[6:18, 12:20].all()
    assert not pair.occluded[6:18, 20:30].any()
    assert not pair.occluded[:6, 4:].any()
    np.testing.assert_allclose(pair.disparity_right[6:18, 8:18], 12)


def test_holes_exactly_where_geometry_says_and_filled():
    left = texture(3)
    bg = texture(4) * 0.5 + 0.25
    pair = from_mono(left, square_scene(), 0, background=bg, **metric())
    expect = np.zeros((H, W), bool)
    expect[:, W - 4:] = True  # outside the left view
    expect[6:18, 18:26] = True  # disocclusion right of the square: [x1 - 12, x1 - 4)
    np.testing.assert_array_equal(pair.holes, expect)
    fill = match_colour_stats(bg, left)  # same size: crop at (0, 0)
    np.testing.assert_allclose(pair.right[expect], fill[expect], atol=1e-5)
    assert np.isfinite(pair.right).all()
    m = pair.mask_u8()
    assert set(np.unique(m)) == {128, 255}
    assert (m[pair.occluded] == 128).all()


def test_inpaint_mirrors_background_side():
    left = texture(5)
    pair = from_mono(left, square_scene(), 0, fill="inpaint", **metric())
    r = pair.right
    # hole run [18, 26) in rows 6..17: background (smaller disparity) is on the right, at column 26
    for t in range(18, 26):
        np.testing.assert_allclose(r[6:18, t], r[6:18, 2 * 26 - 1 - t], atol=1e-6)
    assert pair.info["fill"] == "inpaint"


def test_sharpening_removes_flying_pixels():
    d = np.full((H, W), 10.0, np.float32)
    d[:, 24:] = 40.0
    d[:, 23] = 24.0  # flying pixel, closer to the background
    d[:, 24] = 33.0  # flying pixel, closer to the foreground
    assert flying_pixels(d).any()
    s, bad = sharpen_disparity(d)
    assert bad[:, 23].all() and bad[:, 24].all()
    assert set(np.unique(s)) == {10.0, 40.0}
    assert (s[:, 23] == 10).all() and (s[:, 24] == 40).all()
    assert gradient_free_step(s)


def gradient_free_step(s):
    return int((np.diff(s, axis=1) != 0).sum(axis=1).max()) == 1


def test_from_mono_sharpens_depth_edges():
    z = np.full((H, W), FB / 5.0)
    z[:, 24:] = FB / 30.0
    z[:, 24] = FB / 17.0  # anti-aliased depth edge
    pair = from_mono(texture(6), z, 0, **metric())
    assert set(np.round(np.unique(pair.disparity), 4)) == {5.0, 30.0}
    assert pair.info["flying_pixels"] > 0
    raw = from_mono(texture(6), z, 0, sharpen=False, **metric())
    assert np.isclose(raw.disparity, 17.0).any()


def test_relative_mode_scales_to_sampled_max_disparity():
    z = np.linspace(2, 20, H * W).reshape(H, W)
    pair = from_mono(texture(), z, 7, sharpen=False)  # steep synthetic ramp
    assert 50 <= pair.max_disp <= 192 * 1.15
    assert np.isclose(pair.disparity.max(), pair.max_disp, rtol=1e-5)
    np.testing.assert_allclose(pair.disparity, pair.max_disp * 2 / z, rtol=1e-4)  # 'max': a real rig
    inv = from_mono(texture(), 1 / z, 7, inverse=True, sharpen=False)  # 'minmax' for inverse depth
    assert np.isclose(inv.disparity.min(), 0, atol=1e-4) and np.isclose(inv.disparity.max(), inv.max_disp, rtol=1e-5)


def test_sky_and_invalid_depth():
    z = np.full((H, W), 5.0)
    z[:4] = np.inf  # sky: disparity 0, valid
    z[10, 10] = np.nan  # invalid
    pair = from_mono(texture(), z, 0, **metric())
    assert (pair.disparity[:4] == 0).all() and pair.valid[:4].all()
    assert not pair.valid[10, 10] and pair.valid.sum() == H * W - 1
    assert pair.mask_u8()[10, 10] == 0


def test_deterministic_and_seeded():
    z = square_scene()
    a = from_mono(texture(), z, 3, augment=True)
    b = from_mono(texture(), z, np.random.default_rng(3), augment=True)
    np.testing.assert_array_equal(a.right, b.right)
    c = from_mono(texture(), z, 4, augment=True)
    assert a.max_disp != c.max_disp


def test_augmentation_keeps_disparity():
    z = square_scene()
    plain = from_mono(texture(), z, 1)
    aug = from_mono(texture(), z, 1, augment=True, p_right_noise=1.0, p_right_blur=1.0)
    np.testing.assert_array_equal(plain.disparity, aug.disparity)
    assert not np.allclose(plain.right, aug.right)
    assert "right_noise_sigma" in aug.info["augment"]


def test_uint8_input_and_grey():
    img = (texture()[..., 0] * 255).astype(np.uint8)
    pair = from_mono(img, square_scene(), 0, **metric())
    assert pair.left.shape == (H, W, 1) and pair.right.min() >= 0 and pair.right.max() <= 1


@pytest.mark.parametrize(
    "kwargs, image, depth, match",
    [
        ({}, texture(), np.ones((H + 1, W)), "does not match"),
        ({}, texture(), np.full((H, W), np.nan), "no valid pixels"),
        ({"max_disp_min": 200.0}, texture(), np.ones((H, W)), "max_disp_min"),
        ({"focal": 100.0}, texture(), np.ones((H, W)), "together"),
        ({"fill": "magic"}, texture(), np.ones((H, W)), "fill"),
        ({}, np.zeros((H, W, 3), np.int32), np.ones((H, W)), "dtype"),
    ],
)
def test_bad_input_one_line_errors(kwargs, image, depth, match):
    with pytest.raises(StereoInputError, match=match) as e:
        from_mono(image, depth, 0, **kwargs)
    assert "\n" not in str(e.value)


def test_params_model_has_descriptions():
    for name, f in StereoParams.model_fields.items():
        assert f.description, name
