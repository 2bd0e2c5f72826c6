"""Camera placement, trajectories and rigs."""

from .placement import CameraParams, Obstacles, place_camera

__all__ = ["CameraParams", "Obstacles", "place_camera"]
