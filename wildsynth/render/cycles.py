"""Cycles rendering: path-traced RGB and exact-at-pixel-centre ground-truth passes.

The ground-truth pass is a second Cycles render of the same Blender scene with
one sample per pixel, a 0.01-pixel box filter (rays through pixel centres, so
no anti-aliased mixing at edges), no bounces, and one override material that
writes the instance id and the geometric ("true") normal of the hit triangle to
AOVs: the normal of exactly the surface the depth describes, free of smooth
shading and bump. Depth is Cycles' Z pass
(planar z-depth). Geometry is identical to the RGB render by construction.
The ground-truth pass never sees the camera effects: depth of field is off
there (a pinhole, rays through pixel centres), and noise and vignetting are
applied to the RGB image only (docs/camera.md).

The RGB image is developed like a photograph (``render/film.py``): the
scene-referred linear render (``RGBPass.linear``, written as image.exr) is
vignetted, metered (auto-exposure, unless ``settings.exposure`` is given),
given sensor noise at the exposure, and only then tone-mapped by Blender's view
transform with that exposure into image.png.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from pathlib import Path
from typing import Callable, Iterator, Sequence

import bpy
import numpy as np
import OpenEXR

from ..core.camera import Camera
from ..core.scene import Scene
from . import film
from .base import GTPasses, Progress, Renderer, RGBPass
from .devices import use_device
from .settings import RenderSettings
from .translate import GT_HIDDEN, ID_ATTR, deform_things, load_scene, pose_things, set_camera

SKY_Z = 1.0e9  # Cycles writes 1e10 for rays that hit nothing


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Silence Blender's C-level stdout chatter ("Fra:1 Mem:...") during a call."""
    try:
        fd = os.dup(1)
    except OSError:
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        yield
    finally:
        os.dup2(fd, 1)
        os.close(fd)
        os.close(devnull)


@contextlib.contextmanager
def _progress_handler(progress: Progress | None) -> Iterator[None]:
    """Report Cycles' "Sample i/n" status as a fraction; always unregisters (a left
    handler makes the process hang at exit)."""
    if progress is None:
        yield
        return
    pattern = re.compile(r"Sample (\d+)/(\d+)")

    def on_stats(stats: str) -> None:
        m = pattern.search(stats)
        if m:
            progress(int(m.group(1)) / max(int(m.group(2)), 1))

    bpy.app.handlers.render_stats.append(on_stats)
    try:
        yield
    finally:
        bpy.app.handlers.render_stats.remove(on_stats)


def _read_layers(path: Path) -> dict[str, np.ndarray]:
    chans = OpenEXR.File(str(path), separate_channels=True).channels()
    return {k.split(".", 1)[1] if k.startswith("ViewLayer.") else k: np.asarray(v.pixels) for k, v in chans.items()}


class CyclesRenderer(Renderer):
    """Holds one scene in Blender; renders RGB and GT passes for any camera.

    ``settings.device`` picks the device (see ``render.devices``); ``device_used``
    says which one renders and ``device_note`` why, if it is not the one asked for.
    Both passes run on that device.
    """

    def __init__(self, scene: Scene, settings: RenderSettings, seed: int = 0):
        self.settings = settings
        self.seed = int(seed)
        self.scene = scene
        with _quiet():
            self.bscene = load_scene(scene, aerial=settings.aerial_perspective,
                                     volumetric_clouds=settings.volumetric_clouds)
        # Keep Cycles' scene, BVH and shaders between renders: a camera move or an updated
        # instance transform then costs a partial sync instead of a full rebuild (~3 s -> ~0.05 s
        # at 96x64 for the GT pass of a sequence frame).
        self.bscene.render.use_persistent_data = True
        self.device_used, self.device_note = use_device(self.bscene, settings.device)
        self._gt_material = None
        self._tmp = tempfile.TemporaryDirectory(prefix="wildsynth-")
        self._last_depth: tuple[bytes, np.ndarray] | None = None  # the last GT depth, for the focus
        self._rgb_renders = 0  # seeds the sensor noise of each RGB render
        self._developed = None  # a float image Blender tone-maps the developed pixels from

    def close(self) -> None:
        self._tmp.cleanup()

    def set_time(self, motions, t: float) -> None:
        """Pose every moving thing of ``motions`` (a ``core.motion.MotionSet``) at time ``t`` seconds:
        rigid things by object matrices or instance transforms, deforming meshes (creatures) by
        their vertex positions at ``t`` (Cycles' own motion blur stays off)."""
        ids, deltas = motions.rigid_deltas(t)
        if len(ids):
            pose_things(self.scene, ids, deltas)
        for m in motions.deforming:
            deform_things(self.scene, m.ids, m.vertices(t))

    # -- RGB -----------------------------------------------------------------
    def _configure_rgb(self) -> None:
        s, sc = self.settings, self.bscene
        cy = sc.cycles
        cy.samples = s.samples
        cy.use_adaptive_sampling = s.adaptive_threshold > 0
        cy.adaptive_threshold = s.adaptive_threshold
        cy.adaptive_min_samples = min(s.adaptive_min_samples, s.samples)
        cy.use_denoising = s.denoise and s.samples > 1
        cy.denoiser = "OPENIMAGEDENOISE"
        # One OIDN pass at balanced quality: prefiltering albedo and normals ("ACCURATE")
        # runs the network three times and cost ~10 s at 720p on 2 cores.
        cy.denoising_prefilter = "FAST"
        cy.denoising_quality = s.denoise_quality
        # A static (high quality) BVH even though the scene is kept between renders: Blender picks
        # the dynamic one whenever persistent data is on, and dense foliage traverses it slower.
        cy.debug_bvh_type = "STATIC_BVH"
        cy.max_bounces = s.max_bounces
        cy.diffuse_bounces = s.diffuse_bounces
        cy.glossy_bounces = s.glossy_bounces
        cy.transmission_bounces = max(s.max_bounces, 4)
        cy.transparent_max_bounces = 8
        cy.volume_bounces = 0
        cy.caustics_reflective = cy.caustics_refractive = False
        cy.pixel_filter_type = "BLACKMAN_HARRIS"
        cy.filter_width = 1.5
        cy.seed = self.seed
        sc.render.threads_mode = "FIXED" if s.threads else "AUTO"
        if s.threads:
            sc.render.threads = s.threads
        sc.render.film_transparent = False
        sc.view_settings.view_transform = s.view_transform
        sc.view_settings.look = s.look
        sc.view_settings.exposure = 0.0
        vl = sc.view_layers[0]
        vl.material_override = None
        vl.use_pass_z = False

    @staticmethod
    def _key(camera: Camera) -> bytes:
        return camera.K.tobytes() + camera.cam_to_world.tobytes() + np.array([camera.width, camera.height]).tobytes()

    def focus_distance(self, camera: Camera) -> float:
        """``settings.focus_distance``, else the z-depth at the image centre: the median over the
        central 5% x 5% of the exact depth (the last GT pass of this camera, or a new one); 10 km
        when the centre is sky."""
        if self.settings.focus_distance is not None:
            return float(self.settings.focus_distance)
        if self._last_depth is None or self._last_depth[0] != self._key(camera):
            self.render_gt(camera)
        depth = self._last_depth[1]
        h, w = depth.shape
        dh, dw = max(1, h // 40), max(1, w // 40)
        patch = depth[h // 2 - dh:h // 2 + dh + 1, w // 2 - dw:w // 2 + dw + 1]
        patch = patch[np.isfinite(patch)]
        return float(np.median(patch)) if patch.size else 1.0e4

    def _lens(self, camera: Camera) -> dict:
        s = self.settings
        sw, sh = s.sensor_mm
        focal = float(camera.K[0, 0]) * sw / camera.width
        lens = {"sensor": s.sensor, "sensor_mm": [sw, sh], "focal_mm": round(focal, 3),
                "focal_mm_35mm_equiv": round(focal * 36.0 / sw, 3), "fstop": s.fstop}  # equiv: by the width
        if s.fstop is not None:
            lens["focus_distance_m"] = round(self.focus_distance(camera), 4)
        return lens

    def render_rgb(self, camera: Camera, progress: Progress | None = None,
                   shutter: Sequence[tuple[Camera, Callable[[], None]]] | None = None) -> RGBPass:
        """The developed RGB of ``camera``. With ``shutter`` (motion blur), a list of (camera, pose) for
        times across the open shutter: the linear image is the mean of one render per entry, each
        after its ``pose()`` and with ``samples / len(shutter)`` samples (at least 1) and its own
        sampling seed; exposure is metered on that mean. The caller poses the scene back for GT."""
        s = self.settings
        lens = self._lens(camera)  # may render the GT pass for the focus first
        if not shutter:
            linear = self._render_linear(camera, lens, s.samples, self.seed, progress)
        else:
            n = len(shutter)
            per = max(1, round(s.samples / n))
            linear = None
            for j, (cam, pose) in enumerate(shutter):
                pose()
                part = None if progress is None else (lambda f, j=j: progress((j + f) / n))
                lin = self._render_linear(cam, lens, per, (self.seed + 7919 * (j + 1)) % 2**31, part)
                linear = lin if linear is None else linear + lin
            linear = linear / np.float32(n)
        display, ev, info = self._develop(linear, camera)
        info["shutter"] = {"open": s.shutter if shutter else 0.0, "renders": len(shutter) if shutter else 1}
        self._rgb_renders += 1
        return RGBPass(linear, display, exposure=ev, film={**info, "lens": lens})

    def _render_linear(self, camera: Camera, lens: dict, samples: int, seed: int,
                       progress: Progress | None) -> np.ndarray:
        s = self.settings
        self._configure_rgb()
        cy = self.bscene.cycles
        cy.samples = samples
        cy.adaptive_min_samples = min(s.adaptive_min_samples, samples)
        cy.use_denoising = s.denoise and samples > 1
        cy.seed = seed
        ob = set_camera(self.bscene, camera, sensor_width=s.sensor_mm[0])
        ob.data.dof.use_dof = s.fstop is not None
        if s.fstop is not None:
            ob.data.dof.aperture_fstop = s.fstop
            ob.data.dof.focus_distance = lens["focus_distance_m"]
        with _quiet(), _progress_handler(progress):
            bpy.ops.render.render()
        img = bpy.data.images["Render Result"]
        exr = Path(self._tmp.name) / "rgb.exr"
        fmt = self.bscene.render.image_settings
        with _quiet():
            fmt.file_format, fmt.color_depth, fmt.exr_codec = "OPEN_EXR", "32", "ZIP"
            img.save_render(str(exr), scene=self.bscene)
        chans = OpenEXR.File(str(exr)).channels()
        return np.ascontiguousarray(next(iter(chans.values())).pixels[..., :3], dtype=np.float32)

    def _develop(self, linear: np.ndarray, camera: Camera) -> tuple[np.ndarray, float, dict]:
        """Vignetting, exposure (metered unless given), sensor noise, then Blender's view transform."""
        s = self.settings
        x = linear * film.vignetting(camera, s.vignetting)[..., None] if s.vignetting > 0 else linear
        if s.exposure is None:
            ev, info = film.auto_exposure(x, s.exposure_compensation)
            info = {"auto": True, "compensation_ev": s.exposure_compensation, **info}
        else:
            ev, info = float(s.exposure), {"auto": False}
        if s.iso is not None:
            rng = np.random.default_rng([self.seed, self._rgb_renders])
            x = film.sensor_noise(x, ev, s.iso, s.sensor_mm, rng)
        info = {"exposure_ev": round(ev, 4), **info, "view_transform": s.view_transform, "look": s.look,
                "vignetting": s.vignetting, "iso": s.iso}
        return self._tone_map(x, ev), ev, info

    def _tone_map(self, linear: np.ndarray, ev: float) -> np.ndarray:
        """8-bit sRGB of scene-linear pixels through the scene's view transform at ``ev`` stops."""
        h, w = linear.shape[:2]
        img = self._developed
        if img is None or tuple(img.size) != (w, h):
            if img is not None:
                bpy.data.images.remove(img)
            img = self._developed = bpy.data.images.new("ws_developed", w, h, alpha=True, float_buffer=True)
        rgba = np.ones((h, w, 4), dtype=np.float32)
        rgba[..., :3] = linear
        img.pixels.foreach_set(np.ascontiguousarray(rgba[::-1]).ravel())  # Blender's rows go bottom-up
        png = Path(self._tmp.name) / "rgb.png"
        sc = self.bscene
        fmt = sc.render.image_settings
        sc.view_settings.exposure = ev
        try:
            with _quiet():
                fmt.file_format, fmt.color_mode, fmt.color_depth = "PNG", "RGB", "8"
                img.save_render(str(png), scene=sc)
        finally:
            sc.view_settings.exposure = 0.0
        from ..io.png import read_png

        return read_png(png)[..., :3]

    # -- ground truth ----------------------------------------------------------
    def _gt_override(self):
        if self._gt_material is not None:
            return self._gt_material
        mat = bpy.data.materials.new("ws_ground_truth")
        mat.use_nodes = True
        nt = mat.node_tree
        nt.nodes.clear()
        per_instance = nt.nodes.new("ShaderNodeAttribute")
        per_instance.attribute_type, per_instance.attribute_name = "INSTANCER", ID_ATTR
        per_object = nt.nodes.new("ShaderNodeAttribute")
        per_object.attribute_type, per_object.attribute_name = "OBJECT", ID_ATTR
        pick = nt.nodes.new("ShaderNodeMath")
        pick.operation = "MAXIMUM"
        nt.links.new(per_instance.outputs["Fac"], pick.inputs[0])
        nt.links.new(per_object.outputs["Fac"], pick.inputs[1])
        aov_id = nt.nodes.new("ShaderNodeOutputAOV")
        aov_id.aov_name = "ws_id"
        nt.links.new(pick.outputs["Value"], aov_id.inputs["Value"])
        geo = nt.nodes.new("ShaderNodeNewGeometry")
        aov_n = nt.nodes.new("ShaderNodeOutputAOV")
        aov_n.aov_name = "ws_normal"
        nt.links.new(geo.outputs["True Normal"], aov_n.inputs["Color"])
        # An emission surface that is never sampled as a light: opaque, cheap, and it
        # writes Z and the AOVs. (Sampled emission made every triangle a light, ~10 s of
        # light-tree building; a holdout or an empty surface is skipped by the Z pass.)
        out = nt.nodes.new("ShaderNodeOutputMaterial")
        nt.links.new(nt.nodes.new("ShaderNodeEmission").outputs[0], out.inputs["Surface"])
        mat.cycles.emission_sampling = "NONE"
        self._gt_material = mat
        vl = self.bscene.view_layers[0]
        for name, kind in (("ws_id", "VALUE"), ("ws_normal", "COLOR")):
            if name not in vl.aovs:
                a = vl.aovs.add()
                a.name, a.type = name, kind
        return mat

    def render_gt(self, camera: Camera) -> GTPasses:
        sc = self.bscene
        cy = sc.cycles
        cy.samples = 1
        cy.use_adaptive_sampling = False
        cy.use_denoising = False
        cy.pixel_filter_type = "BOX"
        cy.filter_width = 0.01
        cy.max_bounces = 0
        cy.seed = self.seed
        sc.render.film_transparent = False
        sc.render.use_motion_blur = False
        vl = sc.view_layers[0]
        vl.material_override = self._gt_override()
        vl.use_pass_z = True
        set_camera(sc, camera).data.dof.use_dof = False  # the pinhole: no camera effect reaches the GT
        path = Path(self._tmp.name) / "gt.exr"
        fmt = sc.render.image_settings
        fmt.file_format, fmt.color_depth, fmt.exr_codec = "OPEN_EXR_MULTILAYER", "32", "NONE"  # temp file: speed
        sc.render.filepath = str(path)
        hidden = [ob for ob in sc.objects if ob.get(GT_HIDDEN)]
        for ob in hidden:
            ob.hide_render = True
        try:
            with _quiet():
                bpy.ops.render.render(write_still=True)
        finally:
            for ob in hidden:
                ob.hide_render = False
        vl.material_override = None
        layers = _read_layers(path)
        z = layers["Depth.Z"].astype(np.float32)
        sky = z >= SKY_Z
        depth = np.where(sky, np.float32(np.inf), z)
        normal = np.stack([layers[f"ws_normal.{c}"] for c in "RGB"], -1).astype(np.float32)
        normal[sky] = 0.0
        inst = np.rint(layers["ws_id.X"]).astype(np.uint32)
        inst[sky] = 0
        self._last_depth = (self._key(camera), depth)
        return GTPasses(depth, normal, inst)
