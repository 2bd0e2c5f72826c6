"""Camera placement, trajectories and rigs."""

from .placement import CameraParams, Obstacles, choose_view, place_camera

__all__ = ["CameraParams", "Obstacles", "choose_view", "place_camera"]
