"""Geometric detail from materials, applied in numpy before rendering.

A recipe may register a displacement (``@recipe(name, displacement=fn)``);
``displace`` moves a mesh's vertices along their normals by it. Scenes call
this while building, so RGB, depth and normals all see the same surface.
"""

from __future__ import annotations

import numpy as np

from ..core.mesh import Mesh
from ..core.scene import MaterialRef
from .library import DISPLACEMENTS


def has_displacement(ref: MaterialRef) -> bool:
    return ref.recipe in DISPLACEMENTS


def displace(mesh: Mesh, ref: MaterialRef) -> Mesh:
    """The mesh with the material's displacement applied (the same mesh if it has none)."""
    fn = DISPLACEMENTS.get(ref.recipe)
    if fn is None:
        return mesh
    normals = mesh.vertex_normals().astype(np.float64)
    pts = mesh.vertices.astype(np.float64)
    rng = np.random.default_rng([ref.seed, 0xD15])  # its own stream: the shader's draws stay unchanged
    offsets = np.asarray(fn(pts, normals, rng, dict(ref.params)), dtype=np.float64)
    if offsets.shape != (len(pts),) or not np.all(np.isfinite(offsets)):
        raise ValueError(f"displacement of {ref.recipe!r} must return finite (V,) offsets")
    return Mesh(pts + normals * offsets[:, None], mesh.faces, dict(mesh.attributes), mesh.smooth)
