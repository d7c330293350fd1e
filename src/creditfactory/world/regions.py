"""Valid administrative-division codes for resident IDs, from python-stdnum's own table.

An ID is only valid when its first six digits name a county that existed at the birth year,
so the simulator draws birth places from the codes that were valid throughout.
"""

from __future__ import annotations

import os
from functools import lru_cache

import numpy as np
import stdnum

FIRST_BIRTH_YEAR = 1955
LAST_BIRTH_YEAR = 2010


def _valid_throughout(entry: str) -> bool:
    if not entry.startswith("["):
        return True
    start, _, end = entry[1:].partition("]")[0].partition("-")
    return (not start or int(start) <= FIRST_BIRTH_YEAR) and (not end or int(end) >= LAST_BIRTH_YEAR)


@lru_cache(maxsize=1)
def stable_county_codes() -> np.ndarray:
    """Six-digit division codes valid for every birth year the world uses, sorted."""
    path = os.path.join(os.path.dirname(stdnum.__file__), "cn", "loc.dat")
    codes: list[int] = []
    province = ""
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if not line.strip() or line.startswith("#"):
                continue
            if not line.startswith(" "):
                province = line.split()[0]
                continue
            code, _, rest = line.strip().partition(" ")
            value = rest.partition('"')[2].rstrip('"')
            if code == "0000":
                continue
            if any(_valid_throughout(part) for part in value.split(",")):
                codes.append(int(province + code))
    return np.array(sorted(codes), dtype=np.int64)


@lru_cache(maxsize=64)
def city_county_codes(prefix4: int) -> np.ndarray:
    """Codes under a prefecture (first four digits), else under its province, else all."""
    codes = stable_county_codes()
    for sel in (codes[(codes // 100) == prefix4], codes[(codes // 10_000) == prefix4 // 100]):
        if len(sel):
            return sel
    return codes
