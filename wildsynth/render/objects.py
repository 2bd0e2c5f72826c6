"""Cycles renders of single objects (bpy): a transparent-film beauty pass and pixel-centre passes.

Get one through ``make_renderer(scene, ObjectRenderSettings(...), seed, backend="cycles_objects")``
(``render/object_passes.py`` documents the passes). Two renders per view, all beauty renders
first and then all pixel-centre renders (fewer setting switches for Cycles' persistent data):

1. beauty: ``settings.samples`` with the Blackman-Harris filter on a transparent film, so the
   alpha is the filtered coverage (soft edges, no halo from a pixel-centre mask);
2. pixel centres: one sample, a 0.01-pixel box filter, no bounces, the objects' own materials:
   Cycles' Z (z-depth), diffuse-colour (albedo), object-index (part) passes and an AOV with the
   geometric ("true") normal that every material gets, and the binary alpha as the mask.

Meshes, materials and the camera go through ``render/translate.py``; no aerial perspective.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import bpy
import numpy as np
import OpenEXR

from ..core.camera import Camera
from ..core.scene import Scene
from ..materials import build
from . import film
from .base import GTPasses, Renderer, RGBPass
from .cycles import _quiet
from .devices import use_device
from .object_passes import ObjectRenderSettings, ObjectViews
from .translate import compile_graph, mesh_to_blender, reset, set_camera, set_sun_and_sky

NORMAL_AOV = "ws_true_normal"
NO_HIT = 1.0e9  # Cycles' Z for rays that hit nothing is 1e10


def _read_exr(path: Path) -> dict[str, np.ndarray]:
    chans = OpenEXR.File(str(path), separate_channels=True).channels()
    return {k.split(".", 1)[1] if k.startswith("ViewLayer.") else k: np.asarray(v.pixels) for k, v in chans.items()}


def _add_normal_aov(material: bpy.types.Material) -> None:
    nt = material.node_tree
    geo = nt.nodes.new("ShaderNodeNewGeometry")
    aov = nt.nodes.new("ShaderNodeOutputAOV")
    aov.aov_name = NORMAL_AOV
    nt.links.new(geo.outputs["True Normal"], aov.inputs["Color"])


def load_objects(scene: Scene, settings: ObjectRenderSettings) -> bpy.types.Scene:
    """A fresh Blender scene with the scene's mesh objects (instances must be realised) and the light."""
    bscene = reset()
    bscene.render.engine = "CYCLES"
    mats: dict = {}
    for obj in scene.objects:
        if obj.is_instanced:
            raise ValueError(f"object {obj.name!r}: object renders take realised meshes (Asset.realised())")
        mat = mats.get(obj.material)
        if mat is None:
            mat = mats[obj.material] = compile_graph(build(obj.material))
            _add_normal_aov(mat)
        ob = bpy.data.objects.new(obj.name, mesh_to_blender(obj.name, obj.geometry))
        ob.data.materials.append(mat)
        ob.pass_index = int(obj.instance_id)
        bscene.collection.objects.link(ob)
    if settings.light == "sky":
        set_sun_and_sky(bscene, scene)
    else:
        world = bpy.data.worlds.new("uniform")
        bscene.world = world
        world.use_nodes = True
        bg = world.node_tree.nodes["Background"]
        bg.inputs["Color"].default_value = (1.0, 1.0, 1.0, 1.0)
        bg.inputs["Strength"].default_value = float(settings.world_strength)
    vl = bscene.view_layers[0]
    if NORMAL_AOV not in vl.aovs:
        a = vl.aovs.add()
        a.name, a.type = NORMAL_AOV, "COLOR"
    return bscene


class ObjectRenderer(Renderer):
    """Holds one object scene in Blender; renders ``ObjectViews`` for any cameras."""

    def __init__(self, scene: Scene, settings: ObjectRenderSettings, seed: int = 0):
        if not isinstance(settings, ObjectRenderSettings):
            settings = ObjectRenderSettings(**settings.model_dump())
        self.settings, self.seed, self.scene = settings, int(seed), scene
        with _quiet():
            self.bscene = load_objects(scene, settings)
        self.bscene.render.use_persistent_data = True
        self.device_used, self.device_note = use_device(self.bscene, settings.device)
        self._tmp = tempfile.TemporaryDirectory(prefix="wildsynth-objects-")

    def close(self) -> None:
        self._tmp.cleanup()

    def set_time(self, motions, t: float) -> None:  # a still object: nothing moves
        return None

    # -- the two passes ----------------------------------------------------------------------
    def _configure(self, beauty: bool) -> None:
        s, sc = self.settings, self.bscene
        cy = sc.cycles
        cy.seed = self.seed
        cy.use_adaptive_sampling = beauty and s.adaptive_threshold > 0
        cy.adaptive_threshold = s.adaptive_threshold
        cy.adaptive_min_samples = min(s.adaptive_min_samples, s.samples)
        cy.samples = s.samples if beauty else 1
        cy.use_denoising = beauty and s.denoise and s.samples > 1
        cy.denoiser = "OPENIMAGEDENOISE"
        cy.denoising_prefilter = "FAST"
        cy.pixel_filter_type = "BLACKMAN_HARRIS" if beauty else "BOX"
        cy.filter_width = 1.5 if beauty else 0.01
        cy.max_bounces = s.max_bounces if beauty else 0
        cy.diffuse_bounces, cy.glossy_bounces = s.diffuse_bounces, s.glossy_bounces
        cy.transmission_bounces = max(s.max_bounces, 4) if beauty else 0
        cy.transparent_max_bounces = 8
        cy.volume_bounces = 0
        cy.caustics_reflective = cy.caustics_refractive = False
        sc.render.threads_mode = "FIXED" if s.threads else "AUTO"
        if s.threads:
            sc.render.threads = s.threads
        sc.render.film_transparent = True
        sc.render.use_motion_blur = False
        vl = sc.view_layers[0]
        vl.material_override = None
        vl.use_pass_z = not beauty
        vl.use_pass_diffuse_color = not beauty
        vl.use_pass_object_index = not beauty
        fmt = sc.render.image_settings
        fmt.file_format, fmt.color_depth, fmt.exr_codec = "OPEN_EXR_MULTILAYER", "32", "NONE"

    def _render(self, camera: Camera, name: str) -> dict[str, np.ndarray]:
        sc = self.bscene
        set_camera(sc, camera).data.dof.use_dof = False
        path = Path(self._tmp.name) / f"{name}.exr"
        sc.render.filepath = str(path)
        with _quiet():
            bpy.ops.render.render(write_still=True)
        return _read_exr(path)

    def _exposure(self, rgba: np.ndarray) -> float:
        """0 under the uniform light (a white surface reflects its albedo); the sky preset is metered
        on the object's pixels (``render.film.auto_exposure``)."""
        if self.settings.light == "uniform":
            return 0.0
        on = rgba[..., 3] > 0.5
        if not on.any():
            return 0.0
        return film.auto_exposure(rgba[on][None, :, :3], self.settings.exposure_compensation)[0]

    def render_views(self, cameras: list[Camera]) -> list[ObjectViews]:
        beauty = []
        self._configure(True)
        for cam in cameras:
            lay = self._render(cam, "beauty")
            rgba = np.stack([lay[f"Combined.{c}"] for c in "RGBA"], -1).astype(np.float32)
            a = rgba[..., 3:]
            rgb = np.where(a > 1e-6, rgba[..., :3] / np.maximum(a, 1e-6), 0.0)  # premultiplied -> straight
            rgb *= np.float32(2.0 ** self._exposure(rgba))
            beauty.append(np.concatenate([rgb, a], -1).astype(np.float32))
        out = []
        self._configure(False)
        for cam, rgba in zip(cameras, beauty):
            lay = self._render(cam, "centres")
            z = lay["Depth.Z"].astype(np.float32)
            mask = (lay["Combined.A"] > 0.5) & (z < NO_HIT)
            depth = np.where(mask, z, np.float32(np.inf)).astype(np.float32)
            albedo = np.stack([lay[f"DiffCol.{c}"] for c in "RGB"], -1).astype(np.float32)
            n_world = np.stack([lay[f"{NORMAL_AOV}.{c}"] for c in "RGB"], -1).astype(np.float64)
            n_cam = n_world @ cam.cam_to_world[:3, :3]  # world -> OpenCV camera axes (R^T n)
            n_cam /= np.maximum(np.linalg.norm(n_cam, axis=-1, keepdims=True), 1e-12)
            n_cam[~mask] = 0.0
            albedo[~mask] = 0.0
            part = np.where(mask, np.rint(lay["IndexOB.X"]), 0).astype(np.uint32)
            out.append(ObjectViews(rgba, albedo, depth, n_cam.astype(np.float32), mask, part))
        return out

    # -- the Renderer protocol ---------------------------------------------------------------
    def render_rgb(self, camera: Camera, progress=None) -> RGBPass:
        v = self.render_views([camera])[0]
        linear = np.ascontiguousarray(v.rgba[..., :3] * v.rgba[..., 3:]).astype(np.float32)
        from ..io.png import to_srgb8

        return RGBPass(linear, to_srgb8(linear), 0.0, {"film": "transparent", "light": self.settings.light})

    def render_gt(self, camera: Camera) -> GTPasses:
        v = self.render_views([camera])[0]
        n_world = (v.normal.astype(np.float64) @ camera.cam_to_world[:3, :3].T).astype(np.float32)
        return GTPasses(v.depth, n_world, v.part)
