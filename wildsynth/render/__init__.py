"""Renderers. Only the backends (``render.cycles``) import bpy; get one through ``make_renderer``."""

from .base import RENDERERS, GTPasses, Renderer, RGBPass, make_renderer, register_renderer
from .settings import Device, RenderSettings

__all__ = ["RENDERERS", "Device", "GTPasses", "RGBPass", "RenderSettings", "Renderer", "make_renderer",
           "register_renderer"]
