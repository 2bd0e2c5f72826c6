"""Measurements of rendered images (realism statistics); see ``image_stats``."""
