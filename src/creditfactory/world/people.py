"""Who a person is: identity attributes as pure functions of the person's key.

A repeat customer or a stolen identity shows the same resident ID, name, phone and business
wherever it reappears, because everything here is derived from the key by hashing rather than
drawn from a stream.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import pyarrow as pa
from scipy.special import ndtri

from creditfactory.world import _strings as s
from creditfactory.world._hashing import integers, mix64, uniform
from creditfactory.world.regions import city_county_codes, stable_county_codes
from creditfactory.world.vocab import (
    BUSINESS_SUFFIX,
    BUSINESS_WORDS,
    CARD_BINS,
    CITIES,
    DISTRICTS,
    GIVEN_CHARS,
    INDUSTRIES,
    MOBILE_PREFIXES,
    STREET_SUFFIX,
    STREETS,
    SURNAMES,
)

SECONDS_PER_YEAR = 365.25 * 86_400
_IND_W = np.cumsum([i[2] for i in INDUSTRIES]) / sum(i[2] for i in INDUSTRIES)


@dataclass
class People:
    """Identity columns for a block of applications (Arrow strings, NumPy numbers)."""

    resident_id: pa.Array
    name: pa.Array
    phone: pa.Array
    gender_male: np.ndarray
    birth_unix: np.ndarray
    industry_idx: np.ndarray
    bank_card: pa.Array
    home_address: pa.Array
    business_name: pa.Array
    uscc: pa.Array
    business_address: pa.Array
    local: np.ndarray

    def take(self, idx: np.ndarray) -> People:
        """The same people re-ordered or repeated by ``idx``."""
        arrow_idx = pa.array(idx)
        return People(**{
            f.name: (v.take(arrow_idx) if isinstance(v, pa.Array) else v[idx])
            for f in fields(self) for v in [getattr(self, f.name)]
        })


def phone_of(keys: np.ndarray, salt: int = 41) -> pa.Array:
    """The mobile number of each key (a person, a ring pool entry, a hub)."""
    return s.phones(MOBILE_PREFIXES[integers(keys, salt, len(MOBILE_PREFIXES))],
                    integers(keys, salt + 1, 100_000_000))


def address_of(keys: np.ndarray, city_idx: np.ndarray, salt: int) -> pa.Array:
    """A street address in the given city, derived from ``keys``."""
    city = s.take([c[0] + "市" for c in CITIES], city_idx)
    district = s.take(DISTRICTS, integers(keys, salt, len(DISTRICTS)))
    st = s.join(s.take(STREETS, integers(keys, salt + 1, len(STREETS))),
                s.take(STREETS, integers(keys, salt + 2, len(STREETS))),
                s.take(STREET_SUFFIX, integers(keys, salt + 3, len(STREET_SUFFIX))))
    no = s.join(s.int_str(1 + integers(keys, salt + 4, 399)), "号")
    return s.join(city, district, st, no)


def people(keys: np.ndarray, anchor_unix: np.ndarray, anchor_city: np.ndarray) -> People:
    """Identity of persons ``keys`` first seen at ``anchor_unix`` in ``anchor_city``."""
    n = len(keys)
    age0 = np.clip(np.round(40 + 8.5 * ndtri(np.clip(uniform(keys, 1), 1e-9, 1 - 1e-9))), 22, 60)
    birth = anchor_unix - (age0 * SECONDS_PER_YEAR).astype(np.int64) - integers(keys, 2, 360) * 86_400
    bdate = birth.astype("datetime64[s]").astype("datetime64[D]")
    y = bdate.astype("datetime64[Y]").astype(np.int64) + 1970
    mth = (bdate.astype("datetime64[M]").astype(np.int64) % 12) + 1
    day = (bdate - bdate.astype("datetime64[M]")).astype(np.int64) + 1
    male = uniform(keys, 3) < 0.7
    local = uniform(keys, 4) < 0.55
    region = np.empty(n, dtype=np.int64)
    all_codes = stable_county_codes()
    region[:] = all_codes[integers(keys, 5, len(all_codes))]
    for c in np.unique(anchor_city[local]):
        sel = local & (anchor_city == c)
        codes = city_county_codes(CITIES[int(c)][2])
        region[sel] = codes[integers(keys[sel], 6, len(codes))]
    seq = integers(keys, 7, 500) * 2 + np.where(male, 1, 0)
    rid = s.resident_ids(region, y * 10_000 + mth * 100 + day, seq)
    two = uniform(keys, 8) < 0.7
    second = np.where(two, 1 + integers(keys, 10, len(GIVEN_CHARS)), 0)
    given = s.join(s.take(GIVEN_CHARS, integers(keys, 9, len(GIVEN_CHARS))),
                   s.take(["", *GIVEN_CHARS], second))
    name = s.join(s.take(SURNAMES, integers(keys, 11, len(SURNAMES))), given)
    industry = np.searchsorted(_IND_W, uniform(keys, 12), side="right").clip(0, len(INDUSTRIES) - 1)
    card = s.bank_cards(CARD_BINS[integers(keys, 13, len(CARD_BINS))],
                        integers(keys, 14, 10**12))
    words = s.join(s.take(BUSINESS_WORDS, integers(keys, 15, len(BUSINESS_WORDS))),
                   s.take(BUSINESS_WORDS, integers(keys, 16, len(BUSINESS_WORDS))))
    suffix = s.take([BUSINESS_SUFFIX[i[0]] for i in INDUSTRIES], industry)
    city_name = s.take([c[0] for c in CITIES], anchor_city)
    bname = s.join(city_name, words, suffix)
    biz_region = np.array([CITIES[int(c)][2] * 100 for c in range(len(CITIES))])[anchor_city]
    uscc = s.usccs(biz_region, (mix64(keys, 17) % np.uint64(10**8)).astype(np.int64))
    return People(
        resident_id=rid, name=name, phone=phone_of(keys), gender_male=male,
        birth_unix=birth, industry_idx=industry, bank_card=card,
        home_address=address_of(keys, anchor_city, 20),
        business_name=bname, uscc=uscc,
        business_address=address_of(keys, anchor_city, 30), local=local,
    )
