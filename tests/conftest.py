import sys
from pathlib import Path

import pytest

from wildsynth.run import compose

sys.path.insert(0, str(Path(__file__).parent))

from wildsynth.core import SeedTree  # noqa: E402
from wildsynth.render.settings import RenderSettings  # noqa: E402
from wildsynth.scenes import get  # noqa: E402

TINY = (96, 64)


def build_tiny(seed: int = 0, overrides: dict | None = None, size=TINY):
    recipe = get("meadow")
    params = recipe.params.model_validate(overrides or {})
    _c = compose(recipe, params, SeedTree(seed), *size)
    scene, rig, _ = _c.scene, _c.rig, _c.report
    return scene, rig


def render_gt(scene, rig, size=TINY, seed: int = 0):
    from wildsynth.render.cycles import CyclesRenderer

    with CyclesRenderer(scene, RenderSettings(width=size[0], height=size[1], samples=1), seed=seed) as r:
        return r.render_gt(rig.main)


@pytest.fixture(scope="session")
def tiny_frame():
    """A tiny meadow frame: (scene, rig, gt passes), rendered once per session."""
    scene, rig = build_tiny(0, size=(160, 96))
    return scene, rig, render_gt(scene, rig, size=(160, 96))
