"""Where the sun is: elevation and azimuth from latitude, day of year and solar time.

A standard low-precision model (declination from the day of year, hour angle
15 degrees per hour from solar noon); good to about a degree, plenty for
lighting. World axes: +Y is north, +X is east; azimuth is returned in our
convention, degrees counter-clockwise from +X (east) towards +Y (north).
"""

from __future__ import annotations

import numpy as np


def declination_deg(day_of_year: float) -> float:
    return float(23.44 * np.sin(2.0 * np.pi * (284.0 + day_of_year) / 365.0))


def solar_position(latitude_deg: float, day_of_year: float, hour: float) -> tuple[float, float]:
    """(elevation, azimuth) in degrees for local solar time ``hour`` (12 = solar noon)."""
    lat = np.radians(latitude_deg)
    dec = np.radians(declination_deg(day_of_year))
    ha = np.radians(15.0 * (hour - 12.0))
    sin_e = np.sin(lat) * np.sin(dec) + np.cos(lat) * np.cos(dec) * np.cos(ha)
    elevation = np.degrees(np.arcsin(np.clip(sin_e, -1.0, 1.0)))
    # bearing from south, positive towards west, then from north clockwise
    from_south = np.arctan2(np.sin(ha), np.cos(ha) * np.sin(lat) - np.tan(dec) * np.cos(lat))
    bearing = np.degrees(from_south) + 180.0
    azimuth = (90.0 - bearing) % 360.0  # compass bearing -> counter-clockwise from east
    return float(elevation), float(azimuth)
