"""Single-object renders (no bpy here): the settings, the pass type, and the backend's registration.

``make_renderer(scene, ObjectRenderSettings(...), seed, backend="cycles_objects")`` returns a
``render.objects.ObjectRenderer`` (the bpy module, imported on first use) holding one asset's
scene; ``render_views(cameras)`` gives one ``ObjectViews`` per camera:

- ``rgba``: the path-traced image on a transparent film, straight (not premultiplied) linear
  RGB and a soft alpha (pixel-filter coverage), float32 (H, W, 4);
- at pixel centres (one ray each, a 0.01-pixel box filter, exactly the surface the depth
  describes): ``albedo`` (Cycles' diffuse colour pass, linear, float32 (H, W, 3), 0 off the
  object), ``depth`` (z-depth in the scene's units, inf off the object), ``normal`` (unit
  geometric normals in OpenCV camera axes, 0 off the object), ``mask`` (bool) and
  ``part`` (uint32: the scene object id hit, 0 = none).

Light presets: ``uniform`` (a white world of ``world_strength``, no sun: even, shadowless
light from every direction) or ``sky`` (the scene's sun and Nishita sky).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from pydantic import Field

from .base import register_renderer
from .settings import RenderSettings

Light = Literal["uniform", "sky"]


class ObjectRenderSettings(RenderSettings):
    """Render settings of object sets: small square images, few samples, a uniform light."""

    width: int = Field(256, ge=8, le=4096, description="image width in pixels")
    height: int = Field(256, ge=8, le=4096, description="image height in pixels")
    samples: int = Field(16, ge=1, le=4096, description="path-traced samples per pixel")
    light: Light = Field("uniform", description="uniform (white world, no sun) or sky (the scene's sun and sky)")
    world_strength: float = Field(1.0, gt=0.0, le=100.0, description="radiance of the uniform white world")
    aerial_perspective: bool = Field(False, description="no haze on a single object")


@dataclass
class ObjectViews:
    rgba: np.ndarray  # (H, W, 4) float32: straight linear RGB, soft alpha
    albedo: np.ndarray  # (H, W, 3) float32 linear diffuse colour at pixel centres
    depth: np.ndarray  # (H, W) float32 z-depth, inf = no hit
    normal: np.ndarray  # (H, W, 3) float32 unit normals, OpenCV camera axes
    mask: np.ndarray  # (H, W) bool: a surface at the pixel centre
    part: np.ndarray  # (H, W) uint32 object id, 0 = none

    def __post_init__(self) -> None:
        h, w = self.depth.shape
        for name, a, shape in (("rgba", self.rgba, (h, w, 4)), ("albedo", self.albedo, (h, w, 3)),
                               ("normal", self.normal, (h, w, 3)), ("mask", self.mask, (h, w)),
                               ("part", self.part, (h, w))):
            if a.shape != shape:
                raise ValueError(f"ObjectViews.{name}: expected {shape}, got {a.shape}")


register_renderer("cycles_objects", "wildsynth.render.objects:ObjectRenderer")
