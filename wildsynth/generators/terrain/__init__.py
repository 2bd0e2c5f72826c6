"""Terrain generators."""

from .heightfield import Heightfield, TerrainParams

__all__ = ["Heightfield", "TerrainParams"]
