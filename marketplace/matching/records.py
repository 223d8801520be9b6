"""Plain records the matcher works on, and the `marketplace-match-eval/1` exchange format.

The app builds these from database rows; the CLI and the benchmarks read them from the
exchange format. Money is in integer euro cents and volumes in half days, as in the
database; the exchange format's euros and days are converted at the border.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from marketplace.domain import (
    SKILL_CODES,
    WEEKDAYS,
    WorkMode,
    normalize_tools,
    weekdays_needed,
)

__all__ = [
    "EXCHANGE_FORMAT",
    "FreelancerRecord",
    "MissionRecord",
    "Dataset",
    "load_exchange",
    "dump_exchange",
    "parse_exchange",
]

EXCHANGE_FORMAT = "marketplace-match-eval/1"


def _cents(euros: Any) -> int:
    """Integer cents of an amount in euros, exactly (no float rounding on the way)."""
    return int((Decimal(str(euros)) * 100).to_integral_value())


def _half_days(days: Any) -> int:
    value = Decimal(str(days)) * 2
    if value != value.to_integral_value():
        raise ValueError(f"days must be a multiple of one half day: {days!r}")
    return int(value)


def _euros(cents: int) -> int | float:
    return cents // 100 if cents % 100 == 0 else cents / 100


def _days(half_days: int) -> int | float:
    return half_days // 2 if half_days % 2 == 0 else half_days / 2


def _weekdays(days: Iterable[str]) -> tuple[str, ...]:
    wanted = {d.strip().lower()[:3] for d in days}
    unknown = wanted - set(WEEKDAYS)
    if unknown:
        raise ValueError(f"unknown weekdays: {sorted(unknown)}")
    return tuple(d for d in WEEKDAYS if d in wanted)


def _skills(levels: Mapping[str, Any] | None, *, complete: bool) -> dict[str, int]:
    """Levels by dimension code: every dimension for a profile, the asked ones for a mission."""
    levels = dict(levels or {})
    unknown = set(levels) - set(SKILL_CODES)
    if unknown:
        raise ValueError(f"unknown skill dimensions: {sorted(unknown)}")
    if complete:
        out = {code: int(levels.get(code) or 0) for code in SKILL_CODES}
    else:
        out = {code: int(levels[code]) for code in SKILL_CODES if levels.get(code)}
    if any(not 0 <= v <= 5 for v in out.values()):
        raise ValueError("skill levels go from 0 to 5")
    return out


@dataclass(frozen=True)
class FreelancerRecord:
    """What the matcher knows of one freelancer profile."""

    id: str
    years_experience: int
    daily_rate_cents: int
    max_half_days_per_week: int
    available_weekdays: tuple[str, ...]
    skills: dict[str, int]
    work_mode: WorkMode = WorkMode.HYBRID
    lat: float | None = None
    lon: float | None = None
    mobility_km: int = 0
    tools: tuple[str, ...] = ()
    current_client_sectors: tuple[str, ...] = ()
    vetted: bool = False
    bio: str = ""
    city: str = ""
    # Weekdays already booked by signed contracts: never offered again.
    booked_weekdays: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "id", str(self.id))
        object.__setattr__(self, "work_mode", WorkMode(self.work_mode))
        object.__setattr__(self, "available_weekdays", _weekdays(self.available_weekdays))
        object.__setattr__(self, "booked_weekdays", _weekdays(self.booked_weekdays))
        object.__setattr__(self, "skills", _skills(self.skills, complete=True))
        object.__setattr__(self, "tools", tuple(normalize_tools(self.tools)))
        object.__setattr__(self, "current_client_sectors", tuple(self.current_client_sectors))

    @property
    def free_weekdays(self) -> tuple[str, ...]:
        """Available weekdays that no signed contract books yet."""
        return tuple(d for d in self.available_weekdays if d not in self.booked_weekdays)

    def level(self, dimension: str) -> int:
        return self.skills.get(dimension, 0)

    def with_booked_weekdays(self, weekdays: Iterable[str]) -> FreelancerRecord:
        return replace(self, booked_weekdays=tuple(weekdays))

    @classmethod
    def from_exchange(cls, data: Mapping[str, Any]) -> FreelancerRecord:
        """Build from one `freelancers[]` entry of the exchange format."""
        return cls(
            id=str(data["id"]),
            years_experience=int(data["years_experience"]),
            city=data.get("city", ""),
            lat=_opt_float(data.get("lat")),
            lon=_opt_float(data.get("lon")),
            mobility_km=int(data.get("mobility_km") or 0),
            work_mode=WorkMode(data["work_mode"]),
            daily_rate_cents=_cents(data["daily_rate_eur"]),
            available_weekdays=tuple(data.get("available_weekdays") or ()),
            max_half_days_per_week=_half_days(data["max_days_per_week"]),
            skills=data.get("skills") or {},
            tools=tuple(data.get("tools") or ()),
            current_client_sectors=tuple(data.get("current_client_sectors") or ()),
            vetted=bool(data.get("vetted", False)),
            bio=data.get("bio") or "",
        )

    def to_exchange(self) -> dict[str, Any]:
        """The exchange-format entry (booked weekdays are folded into availability)."""
        return {
            "id": self.id,
            "years_experience": self.years_experience,
            "city": self.city,
            "lat": self.lat,
            "lon": self.lon,
            "mobility_km": self.mobility_km,
            "work_mode": self.work_mode.value,
            "daily_rate_eur": _euros(self.daily_rate_cents),
            "available_weekdays": list(self.free_weekdays),
            "max_days_per_week": _days(self.max_half_days_per_week),
            "skills": {code: self.level(code) for code in SKILL_CODES},
            "tools": list(self.tools),
            "current_client_sectors": list(self.current_client_sectors),
            "vetted": self.vetted,
            "bio": self.bio,
        }


@dataclass(frozen=True)
class MissionRecord:
    """What the matcher knows of one mission."""

    id: str
    half_days_per_week: int
    max_daily_rate_cents: int
    weekdays: tuple[str, ...] = ()  # () = flexible: any free weekdays will do
    skills_required: dict[str, int] = field(default_factory=dict)
    min_years_experience: int = 0
    work_mode: WorkMode = WorkMode.HYBRID
    lat: float | None = None
    lon: float | None = None
    tools: tuple[str, ...] = ()
    non_compete: bool = False
    sector: str = ""
    description: str = ""
    title: str = ""
    company_size: int | None = None
    city: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "id", str(self.id))
        object.__setattr__(self, "work_mode", WorkMode(self.work_mode))
        object.__setattr__(self, "weekdays", _weekdays(self.weekdays))
        object.__setattr__(self, "skills_required", _skills(self.skills_required, complete=False))
        object.__setattr__(self, "tools", tuple(normalize_tools(self.tools)))

    @property
    def full_days_needed(self) -> int:
        """Whole weekdays the mission occupies: 1.5 days a week needs two free days."""
        return weekdays_needed(self.half_days_per_week)

    @property
    def text(self) -> str:
        """Title and description: where the SME says what it needs."""
        return f"{self.title}. {self.description}" if self.title else self.description

    @classmethod
    def from_exchange(cls, data: Mapping[str, Any]) -> MissionRecord:
        """Build from one `missions[]` entry of the exchange format."""
        return cls(
            id=str(data["id"]),
            company_size=data.get("company_size"),
            sector=data.get("sector") or "",
            city=data.get("city", ""),
            lat=_opt_float(data.get("lat")),
            lon=_opt_float(data.get("lon")),
            work_mode=WorkMode(data["work_mode"]),
            half_days_per_week=_half_days(data["days_per_week"]),
            weekdays=tuple(data.get("weekdays") or ()),
            max_daily_rate_cents=_cents(data["max_daily_rate_eur"]),
            min_years_experience=int(data.get("min_years_experience") or 0),
            skills_required=data.get("skills_required") or {},
            tools=tuple(data.get("tools") or ()),
            non_compete=bool(data.get("non_compete", False)),
            description=data.get("description") or "",
        )

    def to_exchange(self) -> dict[str, Any]:
        """The exchange-format entry."""
        return {
            "id": self.id,
            "company_size": self.company_size,
            "sector": self.sector,
            "city": self.city,
            "lat": self.lat,
            "lon": self.lon,
            "work_mode": self.work_mode.value,
            "days_per_week": _days(self.half_days_per_week),
            "weekdays": list(self.weekdays),
            "max_daily_rate_eur": _euros(self.max_daily_rate_cents),
            "min_years_experience": self.min_years_experience,
            "skills_required": dict(self.skills_required),
            "tools": list(self.tools),
            "non_compete": self.non_compete,
            "description": self.text,
        }


def _opt_float(value: Any) -> float | None:
    return None if value is None else float(value)


@dataclass(frozen=True)
class Dataset:
    """Freelancers and missions of one exchange file."""

    freelancers: tuple[FreelancerRecord, ...]
    missions: tuple[MissionRecord, ...]


def parse_exchange(data: Mapping[str, Any]) -> Dataset:
    """Records of an already-decoded exchange document."""
    fmt = data.get("format", EXCHANGE_FORMAT)
    if fmt != EXCHANGE_FORMAT:
        raise ValueError(f"unsupported exchange format: {fmt!r}")
    return Dataset(
        freelancers=tuple(FreelancerRecord.from_exchange(f) for f in data.get("freelancers", ())),
        missions=tuple(MissionRecord.from_exchange(m) for m in data.get("missions", ())),
    )


def load_exchange(path: str | Path) -> Dataset:
    """Read an exchange file (`marketplace-match-eval/1`)."""
    with open(path, encoding="utf-8") as fh:
        return parse_exchange(json.load(fh))


def dump_exchange(
    freelancers: Iterable[FreelancerRecord], missions: Iterable[MissionRecord], path: str | Path
) -> None:
    """Write records as an exchange file."""
    doc = {
        "format": EXCHANGE_FORMAT,
        "freelancers": [f.to_exchange() for f in freelancers],
        "missions": [m.to_exchange() for m in missions],
    }
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(doc, fh, ensure_ascii=False, indent=1)
