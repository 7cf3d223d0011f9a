"""Ukraine's regions by ISO 3166-2:UA code, with names in Ukrainian and English."""

from __future__ import annotations

REGIONS: dict[str, tuple[str, str]] = {
    "UA-05": ("Вінницька область", "Vinnytsia Oblast"),
    "UA-07": ("Волинська область", "Volyn Oblast"),
    "UA-09": ("Луганська область", "Luhansk Oblast"),
    "UA-12": ("Дніпропетровська область", "Dnipropetrovsk Oblast"),
    "UA-14": ("Донецька область", "Donetsk Oblast"),
    "UA-18": ("Житомирська область", "Zhytomyr Oblast"),
    "UA-21": ("Закарпатська область", "Zakarpattia Oblast"),
    "UA-23": ("Запорізька область", "Zaporizhzhia Oblast"),
    "UA-26": ("Івано-Франківська область", "Ivano-Frankivsk Oblast"),
    "UA-30": ("Київ", "Kyiv City"),
    "UA-32": ("Київська область", "Kyiv Oblast"),
    "UA-35": ("Кіровоградська область", "Kirovohrad Oblast"),
    "UA-40": ("Севастополь", "Sevastopol"),
    "UA-43": ("Автономна Республіка Крим", "Autonomous Republic of Crimea"),
    "UA-46": ("Львівська область", "Lviv Oblast"),
    "UA-48": ("Миколаївська область", "Mykolaiv Oblast"),
    "UA-51": ("Одеська область", "Odesa Oblast"),
    "UA-53": ("Полтавська область", "Poltava Oblast"),
    "UA-56": ("Рівненська область", "Rivne Oblast"),
    "UA-59": ("Сумська область", "Sumy Oblast"),
    "UA-61": ("Тернопільська область", "Ternopil Oblast"),
    "UA-63": ("Харківська область", "Kharkiv Oblast"),
    "UA-65": ("Херсонська область", "Kherson Oblast"),
    "UA-68": ("Хмельницька область", "Khmelnytskyi Oblast"),
    "UA-71": ("Черкаська область", "Cherkasy Oblast"),
    "UA-74": ("Чернігівська область", "Chernihiv Oblast"),
    "UA-77": ("Чернівецька область", "Chernivtsi Oblast"),
}

KINDS = ("school", "vocational", "college", "university")


def region_name(code: str, lang: str = "en") -> str:
    uk, en = REGIONS[code]
    return uk if lang == "uk" else en
