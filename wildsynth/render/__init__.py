"""Renderers. Only this package imports bpy; import ``render.cycles`` lazily."""

from .settings import RenderSettings

__all__ = ["RenderSettings"]
