"""A synthetic institution directory: Ukrainian-looking names, unique domains and groups,
heavy-tailed sizes. Everything is vectorised (numpy + polars), no loop over institutions.

`make_institutions` returns the directory (DESIGN.md section 4 columns, all String) and a
frame of hidden attributes the activity model needs (size, class size, meeting length, ...),
both sorted by institution_id and aligned row for row.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from monitor.directory import COLUMNS
from monitor.regions import KINDS, REGIONS

# Rough population weights (millions, 2021), with occupied territories cut down: few
# institutions there still use the national licences.
REGION_WEIGHTS: dict[str, float] = {
    "UA-05": 1.53,
    "UA-07": 1.02,
    "UA-09": 0.15,
    "UA-12": 3.10,
    "UA-14": 0.90,
    "UA-18": 1.20,
    "UA-21": 1.25,
    "UA-23": 1.00,
    "UA-26": 1.36,
    "UA-30": 2.96,
    "UA-32": 1.79,
    "UA-35": 0.92,
    "UA-40": 0.01,
    "UA-43": 0.02,
    "UA-46": 2.50,
    "UA-48": 1.10,
    "UA-51": 2.37,
    "UA-53": 1.37,
    "UA-56": 1.15,
    "UA-59": 1.05,
    "UA-61": 1.03,
    "UA-63": 2.60,
    "UA-65": 0.50,
    "UA-68": 1.25,
    "UA-71": 1.18,
    "UA-74": 0.98,
    "UA-77": 0.90,
}

# Regional centre (locative-free nominative), a two-letter slug for domains, a phone area code.
CITIES: dict[str, tuple[str, str, str]] = {
    "UA-05": ("Вінниця", "vn", "432"),
    "UA-07": ("Луцьк", "lt", "332"),
    "UA-09": ("Сєвєродонецьк", "sd", "645"),
    "UA-12": ("Дніпро", "dp", "56"),
    "UA-14": ("Краматорськ", "kr", "626"),
    "UA-18": ("Житомир", "zt", "412"),
    "UA-21": ("Ужгород", "uz", "312"),
    "UA-23": ("Запоріжжя", "zp", "61"),
    "UA-26": ("Івано-Франківськ", "if", "342"),
    "UA-30": ("Київ", "kv", "44"),
    "UA-32": ("Біла Церква", "bc", "456"),
    "UA-35": ("Кропивницький", "kd", "522"),
    "UA-40": ("Севастополь", "sv", "692"),
    "UA-43": ("Сімферополь", "sf", "652"),
    "UA-46": ("Львів", "lv", "32"),
    "UA-48": ("Миколаїв", "mk", "512"),
    "UA-51": ("Одеса", "od", "48"),
    "UA-53": ("Полтава", "pl", "532"),
    "UA-56": ("Рівне", "rv", "362"),
    "UA-59": ("Суми", "sm", "542"),
    "UA-61": ("Тернопіль", "te", "352"),
    "UA-63": ("Харків", "kh", "57"),
    "UA-65": ("Херсон", "ks", "552"),
    "UA-68": ("Хмельницький", "km", "382"),
    "UA-71": ("Черкаси", "ck", "472"),
    "UA-74": ("Чернігів", "cn", "462"),
    "UA-77": ("Чернівці", "cv", "372"),
}

VILLAGES = (
    "Іванівка",
    "Петрівка",
    "Михайлівка",
    "Олександрівка",
    "Миколаївка",
    "Вільшанка",
    "Калинівка",
    "Новоселиця",
    "Зелений Гай",
    "Степанівка",
    "Березівка",
    "Дубове",
    "Сосновка",
    "Луки",
    "Криниці",
    "Яблунівка",
    "Вишневе",
    "Грушівка",
    "Тополі",
    "Лозова",
)

# (name prefix, domain slug) per kind; schools pick among several forms.
SCHOOL_FORMS = (
    ("Ліцей", "lyceum"),
    ("Гімназія", "gymnasium"),
    ("Загальноосвітня школа I-III ступенів", "school"),
    ("Спеціалізована школа", "sschool"),
)
PRIMARY = ("Початкова школа", "primary")
OTHER_FORMS = {
    "vocational": ("Професійний ліцей", "vpu"),
    "college": ("Фаховий коледж", "college"),
    "university": ("Університет", "univ"),
}
KIND_SHARE = (0.85, 0.07, 0.05, 0.03)  # school, vocational, college, university
KIND_LETTER = {"school": "S", "vocational": "V", "college": "C", "university": "U"}

# log-normal size model per kind: (median school-day meetings, sigma, min, max)
SIZE_MODEL = {
    "school": (6.0, 0.9, 1.0, 90.0),
    "vocational": (10.0, 0.6, 2.0, 60.0),
    "college": (20.0, 0.6, 3.0, 120.0),
    "university": (120.0, 0.7, 20.0, 800.0),
}
CLASS_SIZE = {
    "school": (8, 28),
    "vocational": (10, 25),
    "college": (12, 28),
    "university": (15, 60),
}

_B62 = np.array(list("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"))

DIRECTORY_COLUMNS = tuple(COLUMNS)  # the directory CSV's columns, owned by monitor.directory


def _account_ids(rng: np.random.Generator, n: int) -> np.ndarray:
    """Zoom-like 22-character account ids."""
    chars = _B62[rng.integers(0, len(_B62), size=(n, 22))]
    return np.ascontiguousarray(chars).view("<U22").ravel()


def make_institutions(n: int, rng: np.random.Generator) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Return (directory, attributes), both sorted by institution_id."""
    codes = list(REGIONS)
    weights = np.array([REGION_WEIGHTS[c] for c in codes])
    region_idx = rng.choice(len(codes), size=n, p=weights / weights.sum())
    kind_idx = rng.choice(len(KINDS), size=n, p=np.array(KIND_SHARE))
    kinds = np.array(KINDS)[kind_idx]

    expected = np.empty(n)
    class_size = np.empty(n)
    for k, kind in enumerate(KINDS):  # loop over the four kinds, not institutions
        rows = kind_idx == k
        median, sigma, lo, hi = SIZE_MODEL[kind]
        expected[rows] = np.clip(median * rng.lognormal(0.0, sigma, rows.sum()), lo, hi)
        c_lo, c_hi = CLASS_SIZE[kind]
        class_size[rows] = rng.uniform(c_lo, c_hi, rows.sum())
    # Kyiv city schools are larger; small schools are rural with small classes.
    expected = np.where(np.array(codes)[region_idx] == "UA-30", expected * 1.6, expected)
    rural = (kinds == "school") & (expected < 4.0)
    class_size = np.where(rural, class_size * 0.45, class_size)

    form = rng.integers(0, len(SCHOOL_FORMS), n)
    prefix = np.array([f[0] for f in SCHOOL_FORMS])[form]
    slug = np.array([f[1] for f in SCHOOL_FORMS])[form]
    primary = rural & (rng.random(n) < 0.3)
    prefix = np.where(primary, PRIMARY[0], prefix)
    slug = np.where(primary, PRIMARY[1], slug)
    for kind, (p, s) in OTHER_FORMS.items():
        prefix = np.where(kinds == kind, p, prefix)
        slug = np.where(kinds == kind, s, slug)

    # Own Zoom sub-accounts for colleges and universities; schools sit in group accounts.
    own_account = (kinds == "college") | (kinds == "university")
    accounts = np.where(own_account, _account_ids(rng, n), "")

    base = pl.DataFrame(
        {
            "region": np.array(codes)[region_idx],
            "kind": kinds,
            "prefix": prefix,
            "slug": slug,
            "rural": rural,
            "village": np.array(VILLAGES)[rng.integers(0, len(VILLAGES), n)],
            "phone_tail": rng.integers(0, 10_000, n),
            "zoom_account_id": accounts,
            "expected_meetings": expected,
            "class_size": class_size,
            "meeting_length": rng.uniform(35.0, 80.0, n),
            "host_share": rng.uniform(0.35, 0.75, n),
            "dispersion": rng.uniform(4.0, 30.0, n),
            "trend": rng.normal(0.0, 0.15, n),
        }
    )
    cities = pl.DataFrame(
        {
            "region": list(CITIES),
            "city": [v[0] for v in CITIES.values()],
            "abbr": [v[1] for v in CITIES.values()],
            "area": [v[2] for v in CITIES.values()],
        }
    )
    num = pl.int_range(1, pl.len() + 1).over("region", "kind")
    frame = (
        base.join(cities, on="region", how="left")
        .with_columns(num=num)
        .with_columns(
            institution_id=pl.format(
                "{}-{}{}",
                pl.col("region").str.replace("-", ""),
                pl.col("kind").replace_strict(KIND_LETTER),
                pl.col("num").cast(pl.String).str.zfill(4),
            ),
            name=pl.when(pl.col("rural"))
            .then(pl.format("{} №{} с. {}", "prefix", "num", "village"))
            .otherwise(pl.format("{} №{} м. {}", "prefix", "num", "city")),
            email_domains=pl.format("{}{}-{}.example.org", "slug", "num", "abbr"),
            zoom_group=pl.format("{}-{}{}", pl.col("abbr").str.to_uppercase(), "slug", "num"),
        )
        .with_columns(
            contacts=pl.format(
                "+380 {} 000 {};director@{}",
                "area",
                pl.col("phone_tail").cast(pl.String).str.zfill(4),
                "email_domains",
            )
        )
        .sort("institution_id")
    )
    directory = frame.select([pl.col(c).cast(pl.String) for c in DIRECTORY_COLUMNS])
    attributes = frame.select(
        "institution_id",
        "region",
        "kind",
        "expected_meetings",
        "class_size",
        "meeting_length",
        "host_share",
        "dispersion",
        "trend",
    )
    return directory, attributes
