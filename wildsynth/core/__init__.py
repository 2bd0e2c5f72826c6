"""Core data types: plain numpy, no renderer. See DESIGN.md for the conventions."""

from .axes import look_at, opencv_to_opengl, opengl_to_opencv, yaw_pitch_to_cam
from .camera import Camera, CameraRig
from .labels import LABELS, label, label_id
from .mesh import Instances, Mesh, compose_trs, rotation_align_z, rotation_z
from .scene import MaterialRef, Object, PointLight, Scene, Sky, Sun
from .seeds import SeedTree

__all__ = [
    "Camera", "CameraRig", "Instances", "LABELS", "MaterialRef", "Mesh", "Object", "PointLight", "Scene",
    "SeedTree", "Sky", "Sun", "compose_trs", "label", "label_id", "look_at", "opencv_to_opengl",
    "opengl_to_opencv", "rotation_align_z", "rotation_z", "yaw_pitch_to_cam",
]
