"""Where made-up households lie: each subdistrict's houses within a few km of one middle point,
as real points are. The household form and the import question a point far from its
subdistrict's other households (households.selectors.gps_far_from_neighbours), so points
scattered over the province would make every correct point look wrong.

The area list has no coordinates, so a subdistrict's middle is drawn somewhere in Chumphon;
ต.ท่าตะเภา, where the `tambon` and `volunteer` logins work, has its real one, so that a point
typed there from a map is not questioned. Used by the demo and by bench/import_households.py.
"""

import random

# Chumphon, roughly: where a subdistrict's middle may be drawn.
LATITUDES = (10.0, 11.4)
LONGITUDES = (98.9, 99.4)
KNOWN_MIDDLES = {"860101": (10.4935, 99.1801)}  # ต.ท่าตะเภา, เมืองชุมพร
SPREAD = 0.05  # degrees either side of the middle: about 5 km


class SubdistrictPoints:
    """Points for the houses of each subdistrict, drawn around its middle."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.middles: dict[str, tuple[float, float]] = dict(KNOWN_MIDDLES)

    def point(self, subdistrict: str) -> tuple[float, float]:
        """(latitude, longitude) of one house of `subdistrict` (its 6-digit code), rounded
        to 6 places as stored."""
        rng = self.rng
        if subdistrict not in self.middles:
            self.middles[subdistrict] = (rng.uniform(*LATITUDES), rng.uniform(*LONGITUDES))
        middle_lat, middle_lon = self.middles[subdistrict]
        return (
            round(middle_lat + rng.uniform(-SPREAD, SPREAD), 6),
            round(middle_lon + rng.uniform(-SPREAD, SPREAD), 6),
        )
