"""The recipe catalogue: count, determinism, measured albedo/roughness ranges, wetness, texture at 1 m."""

from __future__ import annotations

import numpy as np
import pytest

from wildsynth.core.scene import MaterialRef
from wildsynth.materials import RECIPES, build
from wildsynth.materials.measured import RANGES

SURFACES = sorted(n for n in RECIPES if RANGES[n].kind in ("opaque", "thin"))


def _signature(graph) -> list:
    """Node types, settings and constant inputs, in order (what decides the shader)."""
    def const(v):
        return v if isinstance(v, (int, float, str, tuple)) else type(v).__name__
    return [(n.type, sorted((k, str(v)) for k, v in n.props.items()),
             sorted((str(k), str(const(v))) for k, v in n.inputs.items())) for n in graph.nodes]


def test_at_least_fifty_recipes_each_with_a_measured_range():
    assert len(RECIPES) >= 50
    assert set(RANGES) == set(RECIPES), set(RANGES) ^ set(RECIPES)
    for name, m in RANGES.items():
        assert 0.0 <= m.albedo[0] < m.albedo[1] <= 1.0 and 0.0 <= m.roughness[0] < m.roughness[1] <= 1.0, name
        assert m.kind in ("opaque", "thin", "clear", "volume"), name


def test_every_recipe_builds_and_is_deterministic_per_seed():
    differ = 0
    for name in RECIPES:
        a, b = build(MaterialRef(name, seed=3)), build(MaterialRef(name, seed=3))
        assert {"Surface", "Volume"} & set(a.outputs), name
        assert _signature(a) == _signature(b), name
        differ += _signature(a) != _signature(build(MaterialRef(name, seed=4)))
    assert differ >= 0.8 * len(RECIPES)  # a seed draws colours and scales within the recipe's ranges


def test_volume_and_clear_kinds_are_what_the_graphs_say():
    for name, m in RANGES.items():
        g = build(MaterialRef(name, seed=0))
        principled = [n for n in g.nodes if n.type == "ShaderNodeBsdfPrincipled"]
        if m.kind == "volume":
            assert "Surface" not in g.outputs and "Volume" in g.outputs, name
        elif m.kind == "clear":
            assert principled and principled[0].inputs.get("Transmission Weight", 0.0) >= 0.9, name
        else:  # opaque and thin surfaces refract nothing (a transmissive sheet is a "clear" kind)
            assert principled, name
            assert all(n.inputs.get("Transmission Weight", 0.0) < 0.1 for n in principled), name


def test_shaders_stay_cheap():
    """Shading dominates render time: few noise octaves, a bounded number of textures."""
    for name in RECIPES:
        g = build(MaterialRef(name, seed=0))
        tex = [n for n in g.nodes if n.type.startswith("ShaderNodeTex")]
        assert len(tex) <= 8, (name, len(tex))
        for n in tex:
            assert float(n.inputs.get("Detail", 0.0)) <= 2.0, (name, n.type)


@pytest.mark.blender
def test_albedo_and_roughness_within_measured_natural_ranges():
    from measure import bake_inputs

    bad = []
    for name in sorted(RECIPES):
        m = RANGES[name]
        if m.kind == "volume":
            continue
        r = bake_inputs(MaterialRef(name, seed=0))
        a, rough = r["albedo"], r["roughness"]
        if m.kind != "clear":
            lo, hi = m.albedo
            if not lo <= a.mean() <= hi:
                bad.append(f"{name}: mean albedo {a.mean():.3f} outside {m.albedo}")
            p10, p90 = np.percentile(a, [10, 90])
            if p10 < 0.5 * lo or p90 > min(1.0, 1.5 * hi):
                bad.append(f"{name}: albedo spread {p10:.3f}..{p90:.3f} far outside {m.albedo}")
        if not m.roughness[0] <= rough.mean() <= m.roughness[1]:
            bad.append(f"{name}: mean roughness {rough.mean():.2f} outside {m.roughness}")
    assert not bad, "\n".join(bad)


@pytest.mark.blender
def test_wet_mask_darkens_and_glosses_and_terrain_is_wet_near_water():
    from measure import bake_inputs

    for name in sorted(n for n in RECIPES if RANGES[n].wets):
        dry = bake_inputs(MaterialRef(name, seed=0), size=16)
        wet = bake_inputs(MaterialRef(name, seed=0), {"wet": 1.0}, size=16)
        assert wet["albedo"].mean() < 0.92 * dry["albedo"].mean(), name
        assert wet["roughness"].mean() < 0.8 * dry["roughness"].mean(), name
    for palette in ("mountain", "desert", "river"):
        ref = MaterialRef("terrain", seed=1, params=(("palette", palette),))
        far = bake_inputs(ref, {"water_dist": 200.0}, size=16)
        shore = bake_inputs(ref, {"water_dist": 0.5}, size=16)
        assert shore["albedo"].mean() < 0.7 * far["albedo"].mean(), palette
        assert shore["roughness"].mean() < 0.6 * far["roughness"].mean(), palette


@pytest.mark.blender
def test_rock_on_a_cliff_is_not_stretched():
    """On a vertical face the terrain's rock texture varies as much up the face as across it,
    although the 2D ``patch`` mask is constant up a wall (a function of x only)."""
    from measure import bake_inputs

    wall = {"slope": 1.0, "patch": lambda x: 0.5 + 0.4 * np.sin(6.0 * x)}
    for palette in ("mountain", "desert"):
        a = bake_inputs(MaterialRef("terrain", seed=2, params=(("palette", palette),)), wall, size=48,
                        vertical=True, n=33)["albedo"]
        across = np.abs(np.diff(a, axis=1)).mean()
        up = np.abs(np.diff(a, axis=0)).mean()
        assert 0.6 < up / across < 1.6, (palette, up, across)


@pytest.mark.blender
@pytest.mark.slow
def test_no_recipe_renders_as_a_flat_colour_at_one_metre():
    """64 px per metre, 8 samples, displaced, one frame: the luminance of each 1 m patch varies
    (relative std over 2x2-pixel blocks, render noise of a flat grey square removed)."""
    from measure import render_patches

    def blocks(lum):
        h = lum.shape[0] // 2 * 2
        return lum[:h, :h].reshape(h // 2, 2, h // 2, 2).mean(axis=(1, 3))

    patches = render_patches([None] + [MaterialRef(n, seed=0) for n in SURFACES])
    flat = blocks(patches[0])
    noise = flat.std() / flat.mean()
    assert noise < 0.06
    flat_ones = []
    for name, lum in zip(SURFACES, patches[1:]):
        b = blocks(lum)
        rel = b.std() / max(b.mean(), 1e-6)
        texture = np.sqrt(max(0.0, rel * rel - noise * noise))
        assert b.mean() > 0.05, f"{name} renders black"
        if texture < 0.03:
            flat_ones.append(f"{name}: texture {texture:.3f}")
    assert not flat_ones, ", ".join(flat_ones)


@pytest.mark.blender
def test_cave_palette_without_sand_and_snow_shades_as_the_full_graph(monkeypatch):
    """The cave palette leaves out the beach-sand and snow layers (their masks are 0 on the cave's
    meshes): base colour and roughness (wet darkening included) equal the full graph's there."""
    import dataclasses

    from measure import bake_inputs

    import wildsynth.materials.terrain as terrain

    ref = MaterialRef("terrain", seed=3, params=(("palette", "cave"),))
    cave = {"beach": 0.0, "snow": 0.0, "water_dist": 1e3, "slope": lambda x: x + 0.5, "moisture": lambda x: 0.5 - x,
            "patch": lambda x: 0.5 + 0.4 * np.sin(5.0 * x)}
    lean = bake_inputs(ref, cave, size=24, n=17)
    assert len(build(ref).nodes) < 70
    monkeypatch.setitem(terrain.PALETTES, "cave", dataclasses.replace(terrain.PALETTES["cave"], sand_snow=True))
    full = bake_inputs(ref, cave, size=24, n=17)
    assert len(build(ref).nodes) > 90
    for k in ("color", "roughness"):
        assert np.abs(lean[k] - full[k]).max() < 1e-4, (k, np.abs(lean[k] - full[k]).max())
    assert lean["roughness"].std() > 0.01 and lean["albedo"].std() > 0.005  # the probe spans wet/dry, rock/soil
