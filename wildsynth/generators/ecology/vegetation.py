"""Vegetation for any terrain: plan the large plants, then dress the ground for every camera.

Scenes call it in two steps, so the cameras can avoid trunks and boulders::

    veg = Vegetation(biome_params("forest_conifer"), field.height, field.normal, seeds.child("veg"))
    obstacles = veg.plan()                       # trees, bushes, cacti, logs, boulders: Poisson-disk, no overlaps
    shot = ...                                   # cameras placed among the obstacles
    report = veg.build(scene, shot.cameras())    # prototypes, LOD, instances, ids

or in one call: ``add_vegetation(scene, "desert", field, seeds, cameras)`` (a field with
``height``/``normal`` and optionally ``masks``/``water_level``, like ``TerrainField``).

What is placed comes from the plant-family registry (``families.py``, one file per
family in ``family/``): tree families are grown and planned first, then the large
spaced families, and small ground cover is sampled at build time in the union of
the cameras' view sectors, thinner with the distance to the nearest camera.

Ids: every tree, bush, cactus, log, rock, fern, flower, mushroom is its own
instance id with its semantic class; the leaves (leaf clusters, needle
sprays, fronds) of a tree carry that tree's id (``id_groups="given"``).
A family with ``id_cell`` (grass) shares one id per ground cell ("grass
patch"), so a million blades make a few hundred rows in ``objects.json``.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterable

import numpy as np
from pydantic import BaseModel, ConfigDict, Field
from scipy.spatial import cKDTree

from ...camera.placement import Obstacles
from ...core.camera import Camera
from ...core.mesh import Instances, Mesh
from ...core.scene import Object, Scene
from ...core.seeds import SeedTree
from ..plants.grass import GrassParams
from ..plants.trees import TreeModel, TreeParams, foliage_mesh
from ..scatter import (
    Ecology,
    GridField,
    Niche,
    ground_transforms,
    lod_thin,
    poisson_thin,
    sample_niche,
    view_sector,
)
from .families import Family, families
from .views import Views, camera_list, view_hfov

NEAR_GRID_CELLS = 2000  # the near terrain cache has at most this many cells a side (coarser only for shots wider than ~1 km)


class TreeLayer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    species: dict[str, float] = Field(default_factory=lambda: {"broadleaf": 1.0},
                                      description="species and their relative weights")
    tree: TreeParams = Field(default_factory=TreeParams, description="shared tree parameters (species is overridden)")
    niche: Niche = Field(default_factory=lambda: Niche(density=0.02, slope_max=0.4, patchiness=0.4))
    count: int = Field(0, ge=0, le=100000, description="exact number of trees wanted (0 = follow the density)")
    prototypes: int = Field(3, ge=1, le=32, description="distinct grown trees per species")
    spacing: float = Field(0.45, ge=0.05, le=2.0, description="min distance between trees, x sum of crown radii")
    lod_distances: tuple[float, float] = Field((15.0, 45.0), description="distances where LOD 1 (half the leaf clusters, each 1.4x larger) and LOD 2 (a fifth, 2.2x) start, m")


class SmallLayer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    niche: Niche = Field(default_factory=Niche)
    scale: float = Field(1.0, gt=0.0, le=100.0, description="median placement scale")
    scale_spread: float = Field(0.2, ge=0.0, le=1.0, description="log-normal spread of scales")
    prototypes: int = Field(4, ge=1, le=32, description="distinct meshes")
    max_distance: float = Field(60.0, gt=0.0, le=5000.0, description="placed only this close to a camera, m (in its view)")
    lod_near: float = Field(15.0, gt=0.0, le=5000.0, description="full density within this distance of the nearest camera, thinner beyond, m")
    align: float = Field(0.8, ge=0.0, le=1.0, description="0 grows straight up, 1 follows the ground normal")
    spaced: bool = Field(False, description="Poisson-disk spacing against each other and the large objects")
    footprint: float = Field(0.3, ge=0.0, le=50.0, description="radius used for spacing, m at scale 1")


REFERENCE_PIXEL = float(np.radians(75.0)) / 1280.0  # radians per pixel the LOD distances are set for
SPARSE_BELOW = 0.3  # below this detail (images under ~380 px wide at 75 degrees) LOD 2 crowns thin to LOD 3


def lod_detail(cameras: list[Camera]) -> float:
    """How much of the reference detail the finest camera can show (1 at 1280 px over 75 degrees or finer,
    0.075 at 96 px): trees switch to coarser levels of detail that much nearer. Only which prototype a
    tree uses changes with it, never where a tree stands."""
    if not cameras:
        return 1.0
    finest = min(view_hfov(c) / c.width for c in cameras)
    return float(min(1.0, REFERENCE_PIXEL / finest))


class VegetationParams(BaseModel):
    """One layer per registered plant family (None: absent), plus what families share."""

    model_config = ConfigDict(extra="forbid")

    area_radius: float = Field(90.0, gt=5.0, le=2000.0, description="large objects are planned in this radius around the origin, m")
    season: str = Field("summer", pattern="^(summer|autumn|winter)$", description="leaf state")
    trees: TreeLayer | None = Field(default_factory=TreeLayer)
    bushes: TreeLayer | None = None
    cacti: SmallLayer | None = None
    cactus_kinds: dict[str, float] = Field(default_factory=lambda: {"saguaro": 1.0, "barrel": 1.0, "prickly_pear": 1.0})
    logs: SmallLayer | None = None
    boulders: SmallLayer | None = None
    grass: SmallLayer | None = None
    grass_tuft: GrassParams = Field(default_factory=GrassParams)
    dry_grass: SmallLayer | None = None
    dry_grass_tuft: GrassParams = Field(default_factory=lambda: GrassParams(dry=0.7, dead=0.6, height=0.3, seed_heads=0.15),
                                        description="tufts of the dry_grass layer (dead and sunburnt grass)")
    flowers: SmallLayer | None = None
    ferns: SmallLayer | None = None
    mushrooms: SmallLayer | None = None
    twigs: SmallLayer | None = None
    cones: SmallLayer | None = None
    pebbles: SmallLayer | None = None
    litter: SmallLayer | None = None
    litter_shapes: tuple[str, ...] = Field(("ovate", "lobed", "palmate"), description="leaf outlines of the leaf litter (leaves.LEAF_SHAPES)")
    needles: SmallLayer | None = None
    bark: SmallLayer | None = None
    moss: SmallLayer | None = None
    lichen: float = Field(0.3, ge=0.0, le=1.0, description="share of the moss layer's prototypes that are lichen crusts")
    water_level: float | None = Field(None, description="water surface altitude (for moisture and no plants under water), m")


def _weights(d: dict[str, float]) -> tuple[list[str], np.ndarray]:
    names = sorted(k for k, v in d.items() if v > 0)
    w = np.array([d[k] for k in names], dtype=np.float64)
    return names, w / w.sum()


def _sink(fam: Family, scale):
    return fam.sink + fam.sink_scale * np.asarray(scale, dtype=np.float64)


class Vegetation:
    """Plans large plants (before the cameras) and builds everything (for all of them)."""

    def __init__(self, params: VegetationParams, height: Callable, normal: Callable, seeds: SeedTree,
                 centre=(0.0, 0.0), masks: Callable | None = None, water_level: Callable | None = None):
        """``masks(x, y, z, normals) -> dict`` (the terrain's own: moisture, water_dist, snow) and
        ``water_level(x, y)`` are optional; without them moisture comes from noise and the
        constant ``params.water_level``."""
        self.p = params
        self.height, self.normal = height, normal
        self._masks_fn = masks
        self.seeds = seeds
        self.centre = np.asarray(centre, dtype=np.float64)
        # masks and alignment read a cached grid of the terrain (exact heights for placements)
        t0 = time.perf_counter()
        self.grid = GridField(height, normal, self.centre, params.area_radius + 5.0, step=1.0, masks=masks)
        self.eco = Ecology(self.grid.height, self.grid.normal, seeds.child("ecology").rng(),
                           water_level=water_level if water_level is not None else params.water_level,
                           masks=self.grid.mask if masks is not None else None)
        self.timings: dict[str, float] = {"terrain_grid": time.perf_counter() - t0}
        self._large: list[dict] = []  # planned groups: kind, family, xy, radius, proto index, scale, ...
        self._foliage: dict = {}  # (kind, species, prototype, lod) -> foliage mesh
        self._planned = False

    def layer(self, fam: Family):
        return getattr(self.p, fam.name)

    # -- planning: large objects, Poisson-disk, mutually non-overlapping ------------
    def _tree_protos(self, fam: Family, layer: TreeLayer) -> dict:
        t0 = time.perf_counter()
        names, _ = _weights(layer.species)
        protos = {}
        for sp in names:
            for k in range(layer.prototypes):
                rng_seed = self.seeds.child(f"{fam.name}/{sp}/{k}").int(2**62)
                protos[(sp, k)] = fam.prototype(self.p, layer, sp, np.random.default_rng(rng_seed))
        self.timings[f"{fam.name}_grow"] = time.perf_counter() - t0
        return protos

    def plan(self) -> Obstacles:
        """Place the tree and large families; returns camera obstacles."""
        t0 = time.perf_counter()
        fixed_xy, fixed_r = np.zeros((0, 2)), np.zeros(0)
        shade_xy, shade_r = [], []
        R = self.p.area_radius
        for fam in families("tree"):
            name, layer = fam.name, self.layer(fam)
            if layer is None or (layer.niche.density <= 0 and layer.count == 0):
                continue
            protos = self._tree_protos(fam, layer)
            rng = self.seeds.child(f"{name}/place").rng()

            names, w = _weights(layer.species)
            dens = self.eco.density(layer.niche)
            if layer.count:
                cand = rng.uniform(-R, R, (layer.count * 12, 2))
                cand = cand[np.hypot(*cand.T) < R] + self.centre
                d = dens(cand[:, 0], cand[:, 1])
                cand = cand[rng.uniform(0, 1, len(cand)) * max(d.max(), 1e-12) < d]
            else:
                cand, _ = sample_niche(rng, layer.niche, dens, self.eco.max_density(layer.niche), self.centre, R)
            sp_idx = rng.choice(len(names), size=len(cand), p=w)
            pk = rng.integers(0, layer.prototypes, len(cand))
            scale = rng.uniform(0.85, 1.15, len(cand))
            crown = np.array([protos[(names[s], k)][0].crown_radius for s, k in zip(sp_idx, pk)]) * scale
            keep = poisson_thin(cand, crown * layer.spacing, limit=layer.count or None,
                                fixed_xy=fixed_xy, fixed_radius=fixed_r)
            g = {"kind": name, "family": fam, "layer": layer, "protos": protos, "xy": cand[keep],
                 "species": [names[s] for s in sp_idx[keep]], "proto": pk[keep], "scale": scale[keep],
                 "radius": crown[keep] * layer.spacing}
            self._large.append(g)
            fixed_xy = np.concatenate([fixed_xy, g["xy"]])
            fixed_r = np.concatenate([fixed_r, g["radius"]])
            if fam.shade:
                shade_xy.append(g["xy"])
                shade_r.append(crown[keep])
                self.eco.set_trees(np.concatenate(shade_xy), np.concatenate(shade_r))
        for fam in families("large"):
            name, layer = fam.name, self.layer(fam)
            if layer is None or layer.niche.density <= 0:
                continue
            rng = self.seeds.child(f"{name}/place").rng()
            cand, _ = sample_niche(rng, layer.niche, self.eco.density(layer.niche), self.eco.max_density(layer.niche),
                                   self.centre, R)
            scale = layer.scale * np.exp(layer.scale_spread * rng.standard_normal(len(cand)))
            keep = poisson_thin(cand, layer.footprint * scale, fixed_xy=fixed_xy, fixed_radius=fixed_r)
            g = {"kind": name, "family": fam, "layer": layer, "xy": cand[keep], "scale": scale[keep],
                 "radius": layer.footprint * scale[keep], "proto": rng.integers(0, layer.prototypes, len(keep))}
            self._large.append(g)
            fixed_xy = np.concatenate([fixed_xy, g["xy"]])
            fixed_r = np.concatenate([fixed_r, g["radius"]])
        self._planned = True
        self.timings["plan"] = time.perf_counter() - t0 - sum(v for k, v in self.timings.items() if k.endswith("_grow"))
        return self.obstacles()

    def obstacles(self) -> Obstacles:
        """Camera obstacles of the planned objects: trunks (and whole bushes / cacti / boulders)."""
        centres, radii = [], []
        for g in self._large:
            if not len(g["xy"]):
                continue
            fam: Family = g["family"]
            z = self.height(g["xy"][:, 0], g["xy"][:, 1])
            centres.append(np.stack([g["xy"][:, 0], g["xy"][:, 1], z + fam.lift], -1))
            if fam.trunk_obstacle:  # trunk plus the lower crown
                crown = g["radius"] / max(g["layer"].spacing, 1e-3)
                # a conifer's lowest whorls reach almost the full crown radius at eye height
                reach = np.where(np.asarray(g["species"]) == "conifer", 0.9, 0.4)
                r = np.maximum(0.6, reach * crown)
            else:
                r = g["radius"] * 1.2
            radii.append(r)
        return Obstacles(np.concatenate(centres) if centres else np.zeros((0, 3)),
                         np.concatenate(radii) if radii else np.zeros(0))

    # -- building ---------------------------------------------------------------
    def build(self, scene: Scene, cameras: Camera | Iterable[Camera] | None = None) -> dict:
        """Add every planned and small object to ``scene`` for ``cameras`` (one camera or every
        camera of a shot; None: all around the centre); returns counts and timings."""
        if not self._planned:
            self.plan()
        views = Views.of(cameras)
        if views is None:
            views = Views.around([*self.centre, self.height(*self.centre[:, None])[0]])
        self._detail = lod_detail(camera_list(cameras))
        mats = self.seeds.child("materials")
        report: dict = {"counts": {}, "timings": self.timings}
        small = [f for f in families("small") if self.layer(f) is not None]
        reach = max([self.layer(f).max_distance for f in small] + [1.0])
        t0 = time.perf_counter()
        centre, radius = views.square(min(reach, 400.0) + 2.0)
        near = GridField(self.height, self.normal, centre, radius, step=max(0.5, 2.0 * radius / NEAR_GRID_CELLS),
                         masks=self._masks_fn)
        self.eco.height, self.eco.normal = near.height, near.normal  # small things live near the eyes
        if self._masks_fn is not None:
            self.eco.masks = near.mask
        self.timings["terrain_grid"] = time.perf_counter() - t0 + self.timings.get("terrain_grid", 0.0)
        for g in self._large:
            t0 = time.perf_counter()
            if g["family"].kind == "tree":
                self._add_trees(scene, g, views, mats, report)
            else:
                self._add_large(scene, g, mats, report)
            self.timings[f"{g['kind']}_build"] = self.timings.get(f"{g['kind']}_build", 0.0) + time.perf_counter() - t0
        for fam in small:
            layer = self.layer(fam)
            if layer.niche.density <= 0:
                continue
            t0 = time.perf_counter()
            self._add_small(scene, fam, layer, views, mats, report)
            self.timings[fam.name] = time.perf_counter() - t0
        return report

    def _add_trees(self, scene, g, views: Views, mats, report):
        fam: Family = g["family"]
        layer: TreeLayer = g["layer"]
        xy = g["xy"]
        if not len(xy):
            return
        rng = self.seeds.child(f"{g['kind']}/jitter").rng()
        mats_world = ground_transforms(xy, rng, self.height, self.grid.normal, scale=g["scale"], align=0.0,
                                       tilt=fam.tilt, sink=_sink(fam, g["scale"]))
        d = views.distance(xy) / self._detail  # to the nearest camera, in reference pixels
        lod = np.where(d < layer.lod_distances[0], 0, np.where(d < layer.lod_distances[1], 1, 2))
        lod = np.where(views.behind(xy, 10.0), 2, lod)  # behind every camera: coarsest (shadows only)
        if self._detail < SPARSE_BELOW:  # tiny images: a sparser crown still (LOD 3)
            lod = np.where(lod == 2, 3, lod)
        tree_ids = scene.reserve_ids(len(xy))  # in planning order: ids never follow the levels of detail
        n_leaves = 0
        species = np.array(g["species"])
        for (sp, k), models in sorted(g["protos"].items()):
            for lv in range(4):
                sel = np.flatnonzero((species == sp) & (g["proto"] == k) & (lod == lv))
                if not len(sel):
                    continue
                m: TreeModel = models[lv] if lv < 3 else self._sparse(g["kind"], sp, k, models[2])
                bark, leaf = fam.material(self.p, mats, sp, m)
                name = f"{g['kind']}.{sp}{k}.lod{lv}"
                wood = scene.add(Object(name, Instances(m.wood, mats_world[sel]), bark, semantic=fam.semantic,
                                        generator=f"plants.trees.{sp}",
                                        params={"species": sp, "prototype": k, "lod": lv, "height": m.height}),
                                 ids=tree_ids[sel])
                foliage = self._foliage.get((g["kind"], sp, k, lv))
                if foliage is None and m.leaf_mesh is not None and len(m.leaves):
                    foliage = self._foliage[(g["kind"], sp, k, lv)] = foliage_mesh(
                        m, self.seeds.child(f"{g['kind']}/{sp}/{k}/foliage").rng())
                if foliage is not None:
                    # one foliage instance per tree, carrying the tree's id
                    scene.add(Object(name + ".leaves", Instances(foliage, mats_world[sel], wood.geometry.ids.copy()),
                                     leaf, semantic=fam.semantic, generator=f"plants.leaves.{m.leaf_kind}",
                                     id_groups="given", params={"leaves_per_tree": len(m.leaves)}))
                    n_leaves += len(m.leaves) * len(sel)
        report["counts"][g["kind"]] = len(xy)
        report["counts"][f"{g['kind']}_leaf_clusters"] = n_leaves

    def _sparse(self, kind: str, sp: str, k: int, m: TreeModel) -> TreeModel:
        """LOD 3: the LOD 2 tree with a quarter of its leaf clusters, each twice as large (same cover)."""
        key = (kind, sp, k, "sparse")
        if key not in self._foliage:
            leaves = m.leaves
            if len(leaves):
                keep = self.seeds.child(f"{kind}/{sp}/{k}/sparse").rng().uniform(0, 1, len(leaves)) < 0.25
                leaves = leaves[keep].copy()
                leaves[:, :3, :3] *= 2.0
            self._foliage[key] = dataclasses.replace(m, leaves=leaves)
        return self._foliage[key]

    def _protos(self, fam: Family, n: int) -> list[tuple[Mesh, str]]:
        """Prototype meshes of a family: (mesh, semantic class)."""
        t0 = time.perf_counter()
        out = [fam.prototype(self.p, k, n, self.seeds.child(f"{fam.name}/proto{k}").rng()) for k in range(n)]
        self.timings[f"{fam.name}_protos"] = time.perf_counter() - t0
        return out

    def _add_large(self, scene, g, mats, report):
        fam: Family = g["family"]
        name, layer = g["kind"], g["layer"]
        xy = g["xy"]
        report["counts"][name] = len(xy)
        if not len(xy):
            return
        protos = self._protos(fam, layer.prototypes)
        rng = self.seeds.child(f"{name}/jitter").rng()
        size = g["scale"] * layer.footprint if fam.size_by_footprint else g["scale"]
        T = ground_transforms(xy, rng, self.height, self.grid.normal, scale=size, align=layer.align, tilt=fam.tilt,
                              sink=_sink(fam, g["scale"]))
        mat = fam.material(self.p, mats)
        for k, (mesh, sem) in enumerate(protos):
            sel = g["proto"] == k
            if sel.any():
                scene.add(Object(f"{name}{k}", Instances(mesh, T[sel]), mat, semantic=sem, generator=f"plants.{name}"))

    def _add_small(self, scene, fam: Family, layer: SmallLayer, views: Views, mats, report):
        name = fam.name
        rng = self.seeds.child(f"{name}/place").rng()
        dens = self.eco.density(layer.niche)
        if views.single:
            xy, clusters = sample_niche(rng, layer.niche, dens, self.eco.max_density(layer.niche), views.eyes[0, :2],
                                        layer.max_distance, sector=views.sector(0))
            keep, grow = lod_thin(xy, views.eyes[0], layer.lod_near, rng, power=fam.lod_power)
        else:  # the union of the views: one draw over a disk holding them, kept where some camera sees
            centre, radius = views.disk(layer.max_distance)
            xy, clusters = sample_niche(rng, layer.niche, dens, self.eco.max_density(layer.niche), centre, radius,
                                        inside=lambda p: views.inside(p, layer.max_distance))
            keep, grow = lod_thin(xy, views.eyes, layer.lod_near, rng, power=fam.lod_power)
        xy = xy[keep]
        clusters = clusters[keep] if clusters is not None else None
        scale = layer.scale * np.exp(layer.scale_spread * rng.standard_normal(len(xy))) * grow
        # nothing small inside trunks, boulders or cacti
        for g in self._large:
            if len(g["xy"]) and len(xy):
                d, i = cKDTree(g["xy"]).query(xy)
                ok = d > g["radius"][i] * g["family"].core
                xy, scale = xy[ok], scale[ok]
                clusters = clusters[ok] if clusters is not None else None
        if layer.spaced:
            keep = poisson_thin(xy, layer.footprint * scale)
            xy, scale = xy[keep], scale[keep]
            clusters = clusters[keep] if clusters is not None else None
        report["counts"][name] = len(xy)
        if not len(xy):
            return
        protos = self._protos(fam, layer.prototypes)
        yaw = None
        if fam.wind_yaw:  # wind from +X of the prototypes: keep all leaning one way
            wind = self.seeds.child("wind").rng().uniform(0, 2 * np.pi)
            yaw = wind + rng.normal(0, 0.35, len(xy))
        T = ground_transforms(xy, rng, self.height, self.eco.normal, scale=scale, align=layer.align, tilt=fam.tilt,
                              sink=_sink(fam, scale), yaw=yaw)
        which = rng.integers(0, len(protos), len(xy))
        if clusters is not None and fam.clump_protos > 0 and len(xy):
            # a clump is mostly one prototype (one species of flower, one kind of litter)
            own = self.seeds.child(f"{name}/clumps").rng().integers(0, len(protos), int(clusters.max()) + 1)
            same = rng.uniform(0, 1, len(xy)) < fam.clump_protos
            which = np.where(same, own[clusters], which)
        mat = fam.material(self.p, mats)
        for k, (mesh, sem) in enumerate(protos):
            sel = which == k
            if not sel.any():
                continue
            groups = None
            if fam.id_cell is not None:  # one id per ground cell, shared by all the family's prototypes
                cell = np.floor(xy[sel] / fam.id_cell).astype(np.int64) + 500_000
                groups = cell[:, 0] * 1_000_003 + cell[:, 1]
            scene.add(Object(f"{name}{k}", Instances(mesh, T[sel]), mat, semantic=sem, generator=f"plants.{name}",
                             id_groups=groups, id_namespace=fam.id_namespace if groups is not None else None))
        if fam.counts is not None:
            report["counts"].update(fam.counts(self.p, len(xy)))


def scale_grass(v: VegetationParams, factor: float, max_tuft_growth: float = 4.0) -> None:
    """Multiply the grass blades per m^2 of ``v`` by ``factor``. Above 1 the tufts first grow
    (up to ``max_tuft_growth`` times the blades) and only then become more numerous: the same
    blades per m^2 in fewer instances path trace several times faster, since a ray inside dense
    grass crosses far fewer overlapping tuft boxes (docs/plants.md)."""
    if v.grass is None:
        return
    bigger = min(max(factor, 1.0), max_tuft_growth)
    v.grass_tuft = v.grass_tuft.model_copy(update={"blades": round(v.grass_tuft.blades * bigger)})
    v.grass.niche.density *= factor / bigger


def add_vegetation(scene: Scene, biome: str | VegetationParams, field, seeds: SeedTree,
                   cameras: Camera | Iterable[Camera] | None = None, centre=(0.0, 0.0),
                   clear_ahead: float = 0.0) -> dict:
    """One call for scenes that placed their cameras already: plan + build.

    ``field`` has ``height(x, y)`` and ``normal(x, y)``; if it also has
    ``masks(x, y, z, normals)`` (moisture, water_dist, snow) and
    ``water_level(x, y)`` (a terrain ``TerrainField`` does), plants follow them.
    Large objects too close to any camera (within 1 m of an eye's ground point
    plus half their radius) are dropped, as they were not known when the
    cameras were placed; with ``clear_ahead`` > 0 so are those in the first
    camera's view cone nearer than that many metres (a scene whose point is
    what lies beyond, like a lake).
    """
    from .biomes import biome_params

    params = biome_params(biome) if isinstance(biome, str) else biome
    cams = camera_list(cameras)
    veg = Vegetation(params, field.height, field.normal, seeds, centre=centre,
                     masks=getattr(field, "masks", None), water_level=getattr(field, "water_level", None))
    veg.plan()
    for g in veg._large:
        if not cams or not len(g["xy"]):
            continue
        ok = np.ones(len(g["xy"]), dtype=bool)
        for cam in cams:
            eye = cam.position
            d = np.hypot(g["xy"][:, 0] - eye[0], g["xy"][:, 1] - eye[1])
            ok &= d > g["radius"] * 0.5 + 1.0
        if clear_ahead > 0:
            eye = cams[0].position
            d = np.hypot(g["xy"][:, 0] - eye[0], g["xy"][:, 1] - eye[1])
            yaw, half = view_sector(eye, cams[0].cam_to_world[:3, 2], view_hfov(cams[0]), margin=0.1)
            ang = np.arctan2(g["xy"][:, 1] - eye[1], g["xy"][:, 0] - eye[0]) - yaw
            # the object's own radius widens the cone it may block
            half_g = half + np.arctan2(g["radius"], np.maximum(d, 1e-6))
            ahead = np.abs((ang + np.pi) % (2 * np.pi) - np.pi) < half_g
            ok &= ~(ahead & (d < clear_ahead))
        for key in ("xy", "scale", "radius", "proto"):
            g[key] = g[key][ok]
        if "species" in g:
            g["species"] = [s for s, o in zip(g["species"], ok) if o]
    return veg.build(scene, cams or None)
