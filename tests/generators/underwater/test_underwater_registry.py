"""Every registered sea-life kind: builds tiny and fast, valid mesh, determinism, parameters."""

import time

import numpy as np
import pytest
from pydantic import ValidationError

from wildsynth.core.labels import label_id
from wildsynth.core.seeds import SeedTree
from wildsynth.generators.underwater import build, get_kind, kinds, sample_params
from wildsynth.generators.underwater._shapes import mesh_problems

NAMES = [k.name for k in kinds()]
CLOSED = {"brain_coral", "star_coral", "staghorn_coral", "elkhorn_coral", "sea_fan", "table_coral", "sea_whip",
          "finger_coral", "tube_coral", "mound_coral", "encrusting_coral", "clam",
          "scallop", "mussel", "starfish"}


def test_registry_has_the_asked_kinds():
    corals = {k.name for k in kinds() if k.semantic == "coral"}
    assert len(corals) >= 8
    assert len({k.family for k in kinds() if k.semantic == "coral"}) >= 5  # distinct growth processes
    for name in ("snail_shell", "conch_shell", "auger_shell", "nautilus_shell", "clam", "scallop", "mussel",
                 "sea_anemone", "tube_sponge", "sea_urchin", "starfish", "sea_cucumber", "barnacles", "kelp",
                 "seagrass", "seaweed", "leaf_coral", "ruffled_sponge", "brain_coral", "star_coral"):
        assert name in NAMES
    from wildsynth.materials import RECIPES

    for k in kinds():
        label_id(k.semantic)
        assert k.process and k.material in RECIPES, k.name


@pytest.mark.parametrize("name", NAMES)
def test_every_kind_builds_tiny_fast_and_valid(name):
    kind = get_kind(name)
    build(name, SeedTree(1), **kind.tiny)  # compiles numba kernels on a first run
    t0 = time.process_time()
    mesh, sem = build(name, SeedTree(2), **kind.tiny)
    cpu = time.process_time() - t0
    assert sem == kind.semantic
    assert cpu < 0.5, f"{name}: {cpu:.2f} s CPU"
    assert mesh.n_triangles > 10
    assert mesh_problems(mesh, closed=name in CLOSED) == [], name
    assert "pattern" in mesh.attributes
    pat = mesh.attributes["pattern"]
    assert pat.min() >= 0.0 and pat.max() <= 1.0
    lo, hi = mesh.bounds()
    assert lo[2] >= -1e-6, f"{name} pokes below its base"
    assert np.ptp(mesh.vertices, axis=0).max() < 20.0


@pytest.mark.parametrize("name", ["brain_coral", "staghorn_coral", "leaf_coral", "conch_shell", "kelp", "sea_urchin"])
def test_same_seed_same_mesh_other_seed_other_mesh(name):
    tiny = get_kind(name).tiny
    a, _ = build(name, SeedTree(5), **tiny)
    b, _ = build(name, SeedTree(5), **tiny)
    c, _ = build(name, SeedTree(6), **tiny)
    assert a.vertices.tobytes() == b.vertices.tobytes() and a.faces.tobytes() == b.faces.tobytes()
    assert a.vertices.shape != c.vertices.shape or not np.array_equal(a.vertices, c.vertices)


def test_parameters_drawn_from_the_seed_and_given_ones_win():
    p = sample_params("staghorn_coral", SeedTree(3))
    q = sample_params("staghorn_coral", SeedTree(4))
    assert p.size != q.size and 0.3 <= p.size <= 0.7
    r = sample_params("staghorn_coral", SeedTree(3), size=1.5)
    assert r.size == 1.5 and r.points == p.points and r.tip_radius == p.tip_radius  # other draws unchanged


def test_bad_parameters_fail_with_a_clear_error():
    with pytest.raises(ValidationError, match="size"):
        build("brain_coral", SeedTree(0), size=-1.0)
    with pytest.raises(ValueError, match="unknown field 'sise'"):
        build("brain_coral", SeedTree(0), sise=1.0)
    with pytest.raises(ValueError, match="unknown; choose one of"):
        build("dragon_coral", SeedTree(0))
