"""Ground-truth products computed from raw passes and camera rigs."""

from .derive import depth_to_distance, normals_to_camera, semantic_from_instance

__all__ = ["depth_to_distance", "normals_to_camera", "semantic_from_instance"]
