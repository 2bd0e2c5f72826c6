"""Stereo from mono reproduces a right view that Cycles rendered with the stereo rig."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import pytest
from bench_stereo_vs_render import compare  # noqa: E402

pytestmark = pytest.mark.blender  # renders with Cycles


def test_synthesised_right_view_matches_rendered_right_view():
    r = compare(96, 64, samples=8, baseline=0.3)
    assert r["psnr_db"] > 22.0, r
    assert r["ssim"] > 0.6, r
    assert 0.0 < r["hole_fraction"] < 0.2, r
