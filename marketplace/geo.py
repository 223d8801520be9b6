"""Places and distances: a bundled table of French communes, no network look-up.

The table lists the 8,939 metropolitan communes of 1,000 inhabitants or more, from
GeoNames (CC BY 4.0), with coordinates and region.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from marketplace.domain import fold

EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True)
class Commune:
    id: int
    name: str
    region: str
    latitude: float
    longitude: float
    population: int

    @property
    def label(self) -> str:
        return f"{self.name} ({self.region})" if self.region else self.name


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine distance in kilometres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


@lru_cache(maxsize=1)
def communes() -> tuple[Commune, ...]:
    """All communes, most populated first."""
    with resources.files("marketplace.data").joinpath("communes.csv").open(encoding="utf-8") as fh:
        return tuple(
            Commune(
                int(row["geonameid"]), row["name"], row["region"],
                float(row["latitude"]), float(row["longitude"]), int(row["population"]),
            )
            for row in csv.DictReader(fh)
        )


@lru_cache(maxsize=1)
def _by_key() -> dict[str, Commune]:
    index: dict[str, Commune] = {}
    for commune in communes():  # most populated first wins a homonym
        index.setdefault(_key(commune.name), commune)
    return index


def _key(name: str) -> str:
    return fold(name).replace("-", " ").replace("'", " ").replace("saint ", "st ").strip()


def find_commune(name: str) -> Commune | None:
    """The commune called ``name`` (accents, case, hyphens ignored), or None."""
    if not name:
        return None
    label_name = name.split(" (")[0]
    return _by_key().get(_key(label_name))


def commune_by_id(commune_id: int) -> Commune | None:
    for commune in communes():
        if commune.id == commune_id:
            return commune
    return None


def search_communes(query: str, limit: int = 10) -> list[Commune]:
    """Communes whose name starts with (then contains) ``query``, biggest first."""
    key = _key(query)
    if len(key) < 2:
        return []
    starts = [c for c in communes() if _key(c.name).startswith(key)]
    if len(starts) < limit:
        starts += [c for c in communes() if key in _key(c.name) and c not in starts]
    return starts[:limit]
