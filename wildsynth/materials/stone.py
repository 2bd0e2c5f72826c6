"""Stone, soil and gravel materials. Several carry numpy displacement (real relief, band-limited:
see ``relief``)."""

from __future__ import annotations

from .graph import Graph
from .library import _jitter, recipe
from .relief import Relief


def _stone(g: Graph, rng, dark: tuple, light: tuple, scale: float, rough: float = 0.8,
           detail: float = 3.0, bump: float = 0.4, vector=None):
    p = vector if vector is not None else g.coords("Object")
    n = g.noise(p, scale=scale * rng.uniform(0.8, 1.25), detail=detail, roughness=0.6)["Fac"]
    col = g.ramp(n, [(0.3, _jitter(rng, dark)), (0.7, _jitter(rng, light))])
    return col, g.bump(n, strength=bump, distance=0.03), rough


@recipe("granite", displacement=Relief(2.0, 0.02))
def granite(rng, params):
    """Speckled grey-pink granite."""
    g = Graph("granite")
    p = g.coords("Object")
    col, nrm, rough = _stone(g, rng, (0.18, 0.16, 0.15), (0.45, 0.4, 0.38), 3.0, 0.7)
    speck = g.map_range(g.voronoi(p, scale=60.0)["Distance"], 0.05, 0.12)
    col = g.mix(g.math("SUBTRACT", 1.0, speck), col, _jitter(rng, (0.05, 0.05, 0.05)))
    g.surface(g.principled(base_color=col, roughness=rough, normal=nrm))
    return g


@recipe("basalt", displacement=Relief(1.5, 0.03))
def basalt(rng, params):
    """Dark, fine-grained volcanic rock."""
    g = Graph("basalt")
    col, nrm, rough = _stone(g, rng, (0.025, 0.025, 0.028), (0.09, 0.085, 0.085), 5.0, 0.65)
    g.surface(g.principled(base_color=col, roughness=rough, normal=nrm))
    return g


@recipe("slate", displacement=Relief(0.8, 0.015, strata=8.0))
def slate(rng, params):
    """Blue-grey layered slate."""
    g = Graph("slate")
    p = g.coords("Object")
    layers = g.node("ShaderNodeTexWave", {"Vector": p, "Scale": 6.0, "Distortion": 2.0, "Detail": 2.0},
                    wave_type="BANDS", bands_direction="Z")["Fac"]
    col = g.ramp(layers, [(0.2, _jitter(rng, (0.06, 0.07, 0.08))), (0.8, _jitter(rng, (0.16, 0.17, 0.19)))])
    g.surface(g.principled(base_color=col, roughness=0.55, normal=g.bump(layers, strength=0.3, distance=0.02)))
    return g


@recipe("sandstone", displacement=Relief(0.6, 0.05, strata=2.0))
def sandstone(rng, params):
    """Warm banded sandstone (canyons, mesas)."""
    g = Graph("sandstone")
    p = g.coords("Object")
    bands = g.node("ShaderNodeTexWave", {"Vector": p, "Scale": 1.5, "Distortion": 4.0, "Detail": 2.0},
                   wave_type="BANDS", bands_direction="Z")["Fac"]
    col = g.ramp(bands, [(0.0, _jitter(rng, (0.42, 0.2, 0.09))), (0.5, _jitter(rng, (0.62, 0.38, 0.2))),
                         (1.0, _jitter(rng, (0.5, 0.27, 0.13)))])
    grain = g.noise(p, scale=40.0, detail=1.0)["Fac"]
    g.surface(g.principled(base_color=col, roughness=0.9, normal=g.bump(grain, strength=0.2, distance=0.01)))
    return g


@recipe("limestone_strata", displacement=Relief(0.5, 0.06, strata=1.2))
def limestone_strata(rng, params):
    """Pale limestone in horizontal beds with darker seams."""
    g = Graph("limestone_strata")
    p = g.coords("Object")
    beds = g.node("ShaderNodeTexWave", {"Vector": p, "Scale": 1.2, "Distortion": 1.5, "Detail": 1.0},
                  wave_type="BANDS", bands_direction="Z", wave_profile="SAW")["Fac"]
    col = g.ramp(beds, [(0.0, _jitter(rng, (0.25, 0.23, 0.2))), (0.15, _jitter(rng, (0.6, 0.58, 0.52))),
                        (1.0, _jitter(rng, (0.7, 0.68, 0.62)))])
    g.surface(g.principled(base_color=col, roughness=0.85, normal=g.bump(beds, strength=0.3, distance=0.05)))
    return g


@recipe("mossy_rock", displacement=Relief(1.2, 0.04))
def mossy_rock(rng, params):
    """Rock with moss on its upward faces."""
    g = Graph("mossy_rock")
    col, nrm, rough = _stone(g, rng, (0.08, 0.075, 0.07), (0.28, 0.26, 0.24), 2.5)
    up = g.node("ShaderNodeSeparateXYZ", {"Vector": g.node("ShaderNodeNewGeometry")["Normal"]})["Z"]
    patches = g.noise(g.coords("Object"), scale=3.0, detail=2.0)["Fac"]
    moss = g.map_range(g.math("ADD", up, g.math("MULTIPLY", patches, 0.6)), 0.75, 0.95)
    moss_col = g.ramp(patches, [(0.3, _jitter(rng, (0.05, 0.11, 0.02))), (0.7, _jitter(rng, (0.15, 0.22, 0.04)))])
    g.surface(g.principled(base_color=g.mix(moss, col, moss_col), roughness=g.map_range(moss, 0, 1, rough, 0.95),
                           normal=nrm))
    return g


@recipe("gravel", displacement=Relief(12.0, 0.012, octaves=3))
def gravel(rng, params):
    """Loose grey-brown gravel."""
    g = Graph("gravel")
    p = g.coords("Object")
    cells = g.voronoi(p, scale=14.0)
    stones = g.ramp(cells["Color"], [(0.0, _jitter(rng, (0.1, 0.09, 0.08))), (1.0, _jitter(rng, (0.38, 0.35, 0.3)))])
    gaps = g.map_range(cells["Distance"], 0.3, 0.5)
    col = g.mix(gaps, stones, (0.03, 0.025, 0.02))
    g.surface(g.principled(base_color=col, roughness=0.85, normal=g.bump(cells["Distance"], strength=0.5, distance=0.02)))
    return g


@recipe("dry_soil", displacement=Relief(3.0, 0.008, octaves=3))
def dry_soil(rng, params):
    """Dry, cracked light-brown soil."""
    g = Graph("dry_soil")
    p = g.coords("Object")
    cracks = g.voronoi(p, scale=3.0, feature="DISTANCE_TO_EDGE")["Distance"]
    crack = g.map_range(cracks, 0.0, 0.04)
    base = g.ramp(g.noise(p, scale=1.5, detail=2.0)["Fac"], [(0.3, _jitter(rng, (0.3, 0.22, 0.14))),
                                                           (0.7, _jitter(rng, (0.45, 0.35, 0.24)))])
    col = g.mix(crack, (0.08, 0.06, 0.04), base)
    g.surface(g.principled(base_color=col, roughness=0.95, normal=g.bump(crack, strength=0.6, distance=0.01)))
    return g


@recipe("wet_mud", displacement=Relief(1.5, 0.01, octaves=3))
def wet_mud(rng, params):
    """Dark wet mud with glossy puddles."""
    g = Graph("wet_mud")
    p = g.coords("Object")
    n = g.noise(p, scale=2.0, detail=2.0)["Fac"]
    puddle = g.map_range(n, 0.55, 0.6)
    col = g.ramp(n, [(0.3, _jitter(rng, (0.05, 0.035, 0.02))), (0.7, _jitter(rng, (0.12, 0.08, 0.05)))])
    g.surface(g.principled(base_color=col, roughness=g.map_range(puddle, 0, 1, 0.7, 0.05),
                           normal=g.bump(n, strength=0.2, distance=0.02)))
    return g
