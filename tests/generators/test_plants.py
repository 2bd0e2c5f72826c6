import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.spatial import cKDTree

from wildsynth.core.mesh import Mesh
from wildsynth.core.scene import MaterialRef
from wildsynth.generators.plants.cacti import KINDS, SPINE, CactusParams, cactus
from wildsynth.generators.plants.deadwood import LogParams, log, pine_cone, twig
from wildsynth.generators.plants.ferns import FernParams, fern
from wildsynth.generators.plants.flowers import FlowerParams, flower
from wildsynth.generators.plants.geometry import Skeleton, pipe_radii, skin
from wildsynth.generators.plants.grass import GrassParams, tuft
from wildsynth.generators.plants.leaves import LEAF_SHAPES, cluster, leaf
from wildsynth.generators.plants.mushrooms import MushroomParams, mushroom
from wildsynth.generators.plants.trees import SPECIES, TreeParams, grow_tree
from wildsynth.materials import RECIPES, build


def check_mesh(m: Mesh, min_area: float = 1e-12) -> None:
    assert len(m.faces) > 0
    assert np.all(np.isfinite(m.vertices))
    v = m.vertices.astype(np.float64)[m.faces]
    area = 0.5 * np.linalg.norm(np.cross(v[:, 1] - v[:, 0], v[:, 2] - v[:, 0]), axis=1)
    assert area.min() > min_area, f"degenerate triangle, area {area.min()}"
    for a in m.attributes.values():
        assert len(a) == len(m.vertices) and np.all(np.isfinite(a))


def check_tree_connected(sk: Skeleton, max_edge: float) -> None:
    """One tree: parents come first, every node reaches a root, edges are short,
    and a branch is never thicker than the one it grows from (it fits on it)."""
    par = sk.parent
    assert np.all(par < np.arange(len(sk)))
    root = np.arange(len(sk))
    for i in range(len(sk)):
        if par[i] >= 0:
            root[i] = root[par[i]]
    assert np.all(par[root] < 0)
    edge = np.linalg.norm(sk.pos[par >= 0] - sk.pos[par[par >= 0]], axis=1)
    assert edge.max() <= max_edge
    assert np.all(sk.radius[par >= 0] <= sk.radius[par[par >= 0]] * 1.0001)


@pytest.mark.parametrize("species", SPECIES)
def test_tree_species_grow_connected_with_attached_leaves(species):
    t = grow_tree(TreeParams(species=species, height=8.0), np.random.default_rng(3))
    check_mesh(t.wood)
    check_tree_connected(t.skeleton, max_edge=0.2 * t.height)
    roots = np.flatnonzero(t.skeleton.parent < 0)
    assert np.all(t.skeleton.pos[roots, 2] < 0.05 * t.height)  # grows from the ground
    assert t.skeleton.pos[:, 2].max() > 0.5 * t.height
    if species in ("dead", "dry_shrub"):
        assert len(t.leaves) == 0
    else:
        assert len(t.leaves) > 0 and t.leaf_mesh is not None
        check_mesh(t.leaf_mesh)
        # every leaf (cluster) sits on the skeleton: its origin is near a branch node
        d, _ = cKDTree(t.skeleton.pos).query(t.leaves[:, :3, 3])
        seg = np.linalg.norm(t.skeleton.pos[1:] - t.skeleton.pos[t.skeleton.parent[1:]], axis=1).max()
        assert d.max() <= seg + 1e-3
        assert np.all(np.isfinite(t.leaves))


def test_trees_are_deterministic_and_vary_by_seed():
    a = grow_tree(TreeParams(species="oak"), np.random.default_rng(5))
    b = grow_tree(TreeParams(species="oak"), np.random.default_rng(5))
    c = grow_tree(TreeParams(species="oak"), np.random.default_rng(6))
    assert np.array_equal(a.wood.vertices, b.wood.vertices) and np.array_equal(a.leaves, b.leaves)
    assert a.wood.vertices.shape != c.wood.vertices.shape or not np.allclose(a.wood.vertices, c.wood.vertices)


def test_level_of_detail_is_cheaper_and_keeps_the_crown():
    full = grow_tree(TreeParams(species="broadleaf"), np.random.default_rng(2), lod=0)
    far = grow_tree(TreeParams(species="broadleaf"), np.random.default_rng(2), lod=2)
    assert far.wood.n_triangles < 0.4 * full.wood.n_triangles
    assert len(far.leaves) < 0.4 * len(full.leaves)
    # the leaf area is about kept: fewer, larger leaf clusters
    area = lambda t: np.sum(np.linalg.norm(t.leaves[:, :3, 0], axis=1) ** 2)  # noqa: E731
    assert 0.6 < area(far) / area(full) < 1.6
    check_tree_connected(far.skeleton, max_edge=0.2 * far.height)


def test_winter_broadleaf_is_bare_conifer_keeps_needles():
    assert len(grow_tree(TreeParams(species="maple", season="winter"), np.random.default_rng(1)).leaves) == 0
    assert len(grow_tree(TreeParams(species="conifer", season="winter"), np.random.default_rng(1)).leaves) > 0


def test_pipe_model_radii():
    par = np.array([-1, 0, 1, 1])
    r = pipe_radii(par, 0.01, 2.0)
    assert np.isclose(r[1] ** 2, r[2] ** 2 + r[3] ** 2)
    assert np.isclose(r[2], 0.01) and np.isclose(r[0], r[1])


def test_skin_attaches_side_branches_at_their_parent():
    sk = Skeleton(np.array([[0, 0, 0], [0, 0, 1], [0, 0, 2], [0.5, 0, 1.5]], float), np.array([-1, 0, 1, 1]),
                  np.array([0.1, 0.08, 0.05, 0.04]))
    m = skin(sk, sides=6)
    check_mesh(m)
    # the side branch's first ring is centred on its parent node (inside the parent tube)
    side_ring = m.vertices[4 * 6:5 * 6].astype(np.float64)
    assert np.allclose(side_ring.mean(0), sk.pos[1], atol=1e-6)


@pytest.mark.parametrize("shape", LEAF_SHAPES)
def test_leaf_shapes_are_real_meshes(shape):
    m = leaf(shape, np.random.default_rng(0))
    check_mesh(m)
    lo, hi = m.bounds()
    assert hi[1] > 0.5 and lo[1] > -0.2  # along +Y from the stalk
    assert hi[0] - lo[0] > 0.01  # has width
    check_mesh(cluster(m, np.random.default_rng(1)))


@pytest.mark.parametrize("kind", KINDS)
def test_cacti_kinds(kind):
    m = cactus(CactusParams(kind=kind), np.random.default_rng(0))
    check_mesh(m)
    assert "tint" in m.attributes
    spines = np.sum(np.all(np.isclose(m.attributes["tint"], SPINE), axis=1))
    assert spines > 30


def test_cacti_are_grey_green_with_dark_rib_grooves():
    for kind in KINDS:
        m = cactus(CactusParams(kind=kind, height=1.5, spines=0.0), np.random.default_rng(1))
        tint = m.attributes["tint"].astype(np.float64)
        lum = tint @ (0.2126, 0.7152, 0.0722)
        sat = (tint.max(1) - tint.min(1)) / np.maximum(tint.max(1), 1e-9)
        assert 0.05 < np.median(lum) < 0.15, kind  # cactus skin, not a leaf-green toy
        assert np.median(sat) < 0.5, kind  # desaturated (the old green was 0.64)
        if kind != "prickly_pear":  # ribbed: the grooves are darker than the crests
            assert np.percentile(lum, 90) > 1.3 * np.percentile(lum, 10), kind


def test_dry_shrub_is_a_dense_low_tangle_of_bare_twigs():
    t = grow_tree(TreeParams(species="dry_shrub", height=0.9), np.random.default_rng(2))
    assert len(t.leaves) == 0 and t.leaf_mesh is None
    roots = np.flatnonzero(t.skeleton.parent < 0)
    assert len(roots) >= 6  # many stems from the root crown
    assert t.height <= 1.5 and t.crown_radius > 0.5 * t.height  # wider than tall
    tips = np.setdiff1d(np.arange(len(t.skeleton)), t.skeleton.parent)
    assert len(tips) > 60  # a dense tangle, not a dead tree's few limbs


def test_small_generators_are_deterministic():
    makers = [lambda r: tuft(GrassParams(), r), lambda r: flower(FlowerParams(), r), lambda r: fern(FernParams(), r),
              lambda r: mushroom(MushroomParams(), r), lambda r: log(LogParams(), r), lambda r: twig(0.3, r),
              lambda r: pine_cone(r)]
    for make in makers:
        a, b = make(np.random.default_rng(9)), make(np.random.default_rng(9))
        assert np.array_equal(a.vertices, b.vertices) and np.array_equal(a.faces, b.faces)
        check_mesh(a)


def test_grass_bends_with_the_wind():
    still = tuft(GrassParams(wind=0.0, blades=40), np.random.default_rng(0))
    windy = tuft(GrassParams(wind=1.0, blades=40), np.random.default_rng(0))
    tips = lambda m: m.vertices[m.attributes["tip"] > 0.99]  # noqa: E731
    assert tips(windy)[:, 0].mean() > tips(still)[:, 0].mean() + 0.05


def test_plant_materials_build():
    for name, params in [("bark", {"kind": "birch"}), ("leaf", {"kind": "broadleaf", "season": "autumn"}),
                         ("leaf", {"kind": "needle"}), ("grass", {}), ("plant_vcol", {"translucency": 0.2})]:
        g = build(MaterialRef(name, 3, tuple(params.items())))
        assert "Surface" in g.outputs and len(g.nodes) < 20  # cheap shaders
    assert {"bark", "leaf", "grass", "plant_vcol"} <= set(RECIPES)


FAST = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(species=st.sampled_from(SPECIES), height=st.floats(0.5, 40.0), leaf_density=st.floats(0.0, 3.0),
       leaf_size=st.floats(0.21, 3.0), detail=st.floats(0.2, 1.0), bark=st.floats(0.0, 3.0),
       season=st.sampled_from(["summer", "autumn", "winter"]), lod=st.integers(0, 2), seed=st.integers(0, 10**6))
def test_trees_across_parameter_range(species, height, leaf_density, leaf_size, detail, bark, season, lod, seed):
    p = TreeParams(species=species, height=height, leaf_density=leaf_density, leaf_size=leaf_size, detail=detail,
                   bark=bark, season=season)
    t = grow_tree(p, np.random.default_rng(seed), lod=lod)
    check_mesh(t.wood, min_area=0.0)
    check_tree_connected(t.skeleton, max_edge=0.3 * t.height)
    assert np.all(np.isfinite(t.leaves))


@FAST
@given(kind=st.sampled_from(KINDS), height=st.floats(0.2, 15.0), ribs=st.integers(4, 30), spines=st.floats(0, 3),
       blades=st.integers(1, 60), gh=st.floats(0.03, 2.0), wind=st.floats(0, 1.5), petals=st.integers(0, 40),
       cup=st.floats(-0.5, 1.5), fronds=st.integers(1, 20), pinnae=st.integers(3, 40), cluster_n=st.integers(1, 8),
       dome=st.floats(0, 1.5), seed=st.integers(0, 10**6))
def test_small_plants_across_parameter_range(kind, height, ribs, spines, blades, gh, wind, petals, cup, fronds,
                                             pinnae, cluster_n, dome, seed):
    r = np.random.default_rng(seed)
    check_mesh(cactus(CactusParams(kind=kind, height=height, ribs=ribs, spines=spines), r), min_area=0.0)
    check_mesh(tuft(GrassParams(blades=blades, height=gh, wind=wind), r), min_area=0.0)
    check_mesh(flower(FlowerParams(petals=petals, cup=cup), r), min_area=0.0)
    check_mesh(fern(FernParams(fronds=fronds, pinnae=pinnae), r), min_area=0.0)
    check_mesh(mushroom(MushroomParams(cluster=cluster_n, dome=dome), r), min_area=0.0)
    check_mesh(log(LogParams(length=max(height, 0.25), radius=0.02 + height / 30), r), min_area=0.0)


def test_foliage_mesh_equals_the_placed_leaves():
    from wildsynth.core.mesh import Instances
    from wildsynth.generators.plants.trees import foliage_mesh

    t = grow_tree(TreeParams(species="birch", height=5.0), np.random.default_rng(4), lod=1)
    f = foliage_mesh(t, np.random.default_rng(0))
    ref = Instances(t.leaf_mesh, t.leaves).realise()
    assert np.allclose(f.vertices, ref.vertices, atol=1e-5) and np.array_equal(f.faces, ref.faces)
    vary = f.attributes["vary"].reshape(len(t.leaves), -1)
    assert np.all(vary == vary[:, :1]) and vary.std() > 0.1  # one random value per cluster
    check_mesh(f)
    assert foliage_mesh(grow_tree(TreeParams(species="dead"), np.random.default_rng(0))) is None
