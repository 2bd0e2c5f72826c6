"""Object.unseen_by: ray types that pass an object by (Cycles' ray visibility), RGB only."""

import bpy
import numpy as np
import pytest

from wildsynth.core import Camera, MaterialRef, Mesh, Object, Scene, look_at
from wildsynth.core.scene import Sun
from wildsynth.render.cycles import CyclesRenderer
from wildsynth.render.settings import RenderSettings


def quad(half: float, z: float) -> Mesh:
    v = np.array([[-half, -half, z], [half, -half, z], [half, half, z], [-half, half, z]], float)
    return Mesh(v, np.array([[0, 1, 2], [0, 2, 3]]))


def test_unknown_ray_type_is_refused():
    with pytest.raises(ValueError, match="unseen_by"):
        Object("roof", quad(1.0, 2.0), MaterialRef("granite"), "terrain", "test", unseen_by=("camera",))


@pytest.mark.blender
def test_a_roof_unseen_by_shadow_rays_casts_no_shadow_but_stays_in_the_ground_truth():
    def render(unseen):
        scene = Scene()
        scene.add(Object("ground", quad(20.0, 0.0), MaterialRef("sand"), "terrain", "test"))
        scene.add(Object("roof", quad(3.0, 1.5), MaterialRef("granite"), "rock", "test", unseen_by=unseen))
        scene.sun = Sun.from_angles(80.0, 0.0, strength=4.0)
        # under the roof, looking down at the ground it shades; the roof is behind the camera
        cam = Camera.from_hfov(24, 16, 40.0, look_at([0.0, 0.0, 1.0], [0.0, 0.01, 0.0]))
        with CyclesRenderer(scene, RenderSettings(width=24, height=16, samples=4, denoise=False)) as r:
            ob = bpy.data.objects["roof"]
            flags = (ob.visible_shadow, ob.visible_diffuse, ob.visible_camera)
            return r.render_rgb(cam).linear.mean(), flags

    shaded, flags0 = render(())
    lit, flags1 = render(("shadow",))
    assert flags0 == (True, True, True) and flags1 == (False, True, True)
    assert lit > 3.0 * shaded, (lit, shaded)
    # the ground truth still sees the roof: a camera above it looking down hits it at 1.5 m
    scene = Scene()
    scene.add(Object("ground", quad(20.0, 0.0), MaterialRef("sand"), "terrain", "test"))
    roof = scene.add(Object("roof", quad(3.0, 1.5), MaterialRef("granite"), "rock", "test", unseen_by=("shadow", "diffuse")))
    cam = Camera.from_hfov(24, 16, 40.0, look_at([0.0, 0.0, 3.5], [0.0, 0.01, 0.0]))
    with CyclesRenderer(scene, RenderSettings(width=24, height=16, samples=1, denoise=False)) as r:
        gt = r.render_gt(cam)
    assert np.allclose(gt.depth, 2.0, atol=5e-3)  # the view is tilted by 0.3 degrees
    assert (gt.instance == roof.instance_id).all()
