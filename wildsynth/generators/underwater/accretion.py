"""Accretive growth: massive mound corals and encrusting corals.

The colony surface is a closed mesh that grows along its normals, one layer of skeleton
per step, at a rate set by its exposure to light and water (the upward share of the normal),
by a fixed field of faster- and slower-growing patches (3D noise: lobes and knobs) and, for
encrusting forms, mostly sideways over the substrate. Each step is followed by an umbrella
(Laplacian) smoothing that stands for the tissue's tension and keeps triangles even; the
base never sinks below z = 0. Mound corals (Porites boulders) grow up and out into lumpy
domes; encrusting corals spread into thin lobed crusts. ``pattern`` holds the growth rate
(fast = fresh, paler tissue).
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict, Field
from scipy.sparse import diags

from ...core.mesh import Mesh
from ..noise import fbm3, perm_table
from . import register
from ._shapes import unit01
from .reaction_diffusion import dome, mesh_adjacency


class AccretionParams(BaseModel):
    """A massive coral grown layer by layer along its normals."""

    model_config = ConfigDict(extra="forbid")
    size: float = Field(0.5, gt=0.02, le=5.0, description="final radius, m", json_schema_extra={"rand": (0.3, 0.7)})
    steps: int = Field(30, ge=1, le=200, description="growth layers")
    light: float = Field(0.7, ge=0.0, le=1.0, description="share of growth that follows exposure (upward normals)")
    lumps: float = Field(0.6, ge=0.0, le=1.5, description="amplitude of the patchy growth-rate field",
                         json_schema_extra={"rand": (0.4, 0.8)})
    lump_scale: float = Field(3.0, gt=0.2, le=20.0, description="lobes per radius", json_schema_extra={"rand": (2.0, 4.0)})
    lateral: float = Field(0.0, ge=0.0, le=1.0, description="share of the growth turned sideways (encrusting)")
    smoothing: float = Field(0.3, ge=0.0, le=0.9, description="umbrella smoothing per step (tissue tension)")
    detail: int = Field(4, ge=1, le=6, description="icosphere subdivisions (LOD): 20·4^n triangles")


def accrete(p: AccretionParams, rng: np.random.Generator, height: float) -> Mesh:
    base = dome(0.25 * p.size, 0.25 * p.size * height, 0.0, p.detail)
    v = base.vertices.astype(np.float64)
    f = base.faces
    adj = mesh_adjacency(f, len(v))
    walk = diags(1.0 / np.asarray(adj.sum(axis=1)).ravel()) @ adj
    perm = perm_table(rng)
    offset = rng.uniform(0, 100, 3)
    grow_to = 0.75 * p.size / p.steps
    rate_sum = np.zeros(len(v))
    for _ in range(p.steps):
        m = Mesh(v, f)
        n = m.vertex_normals().astype(np.float64)
        expo = (1.0 - p.light) + p.light * np.clip(0.5 + 0.5 * n[:, 2], 0.0, 1.0)
        patch = 1.0 + p.lumps * fbm3(v / p.size * p.lump_scale + offset, perm, octaves=3)
        rate = np.clip(expo * patch, 0.05, None)
        d = n.copy()
        if p.lateral > 0:
            d[:, 2] *= 1.0 - p.lateral
            d /= np.maximum(np.linalg.norm(d, axis=1, keepdims=True), 1e-12)
        v = v + d * (grow_to * rate)[:, None]
        v = (1 - p.smoothing) * v + p.smoothing * (walk @ v)
        v[:, 2] = np.maximum(v[:, 2], 0.0)
        rate_sum += rate
    return Mesh(v, f, {"pattern": unit01(rate_sum)})


@register("mound_coral", AccretionParams, "coral", "accretive growth along normals, exposure-weighted rate with "
          "patchy lobes, umbrella smoothing", "coral", tiny={"detail": 2, "steps": 8})
def mound_coral(p: AccretionParams, rng: np.random.Generator) -> Mesh:
    return accrete(p, rng, 0.8)


class EncrustingParams(AccretionParams):
    lateral: float = Field(0.85, ge=0.0, le=1.0, description="share of the growth turned sideways (encrusting)")
    light: float = Field(0.2, ge=0.0, le=1.0, description="share of growth that follows exposure (upward normals)")
    lumps: float = Field(0.9, ge=0.0, le=1.5, description="amplitude of the patchy growth-rate field (lobed margin)",
                         json_schema_extra={"rand": (0.7, 1.1)})


@register("encrusting_coral", EncrustingParams, "coral", "accretive growth turned sideways over the substrate: a "
          "thin crust with a lobed margin", "coral", tiny={"detail": 2, "steps": 8})
def encrusting_coral(p: EncrustingParams, rng: np.random.Generator) -> Mesh:
    return accrete(p, rng, 0.25)
