"""The tile-grid map of Ukraine's 27 regions and the continuity colours.

One square per region, placed on a coarse grid that keeps neighbours next to each other
(north-west at the top left, Crimea at the bottom). A tile grid prints as an HTML table, so it
survives e-mail clients that drop SVG, and every tile carries its number as text.
"""

from __future__ import annotations

# (row, column) of each ISO 3166-2:UA region.
GRID: dict[str, tuple[int, int]] = {
    "UA-07": (0, 1), "UA-56": (0, 2), "UA-18": (0, 3), "UA-32": (0, 4), "UA-74": (0, 5),
    "UA-59": (0, 6),
    "UA-46": (1, 0), "UA-61": (1, 1), "UA-68": (1, 2), "UA-30": (1, 3), "UA-71": (1, 4),
    "UA-53": (1, 5), "UA-63": (1, 6), "UA-09": (1, 7),
    "UA-21": (2, 0), "UA-26": (2, 1), "UA-77": (2, 2), "UA-05": (2, 3), "UA-35": (2, 4),
    "UA-12": (2, 5), "UA-14": (2, 6),
    "UA-51": (3, 3), "UA-48": (3, 4), "UA-65": (3, 5), "UA-23": (3, 6),
    "UA-40": (4, 4), "UA-43": (4, 5),
}
ROWS = 1 + max(r for r, _ in GRID.values())
COLUMNS = 1 + max(c for _, c in GRID.values())

# Continuity bands in a red-yellow-blue diverging scheme (ColorBrewer RdYlBu, safe for the
# common colour-vision deficiencies); grey for no data. (background, text colour, symbol):
# the symbol and the printed number make the colour redundant.
PALETTE: dict[str, tuple[str, str, str]] = {
    "critical": ("#d7191c", "#ffffff", "▼▼"),
    "low": ("#fdae61", "#000000", "▼"),
    "reduced": ("#abd9e9", "#000000", "•"),
    "normal": ("#2c7bb6", "#ffffff", "✓"),
    "nodata": ("#e0e0e0", "#000000", "?"),
}
LEGEND_ORDER = ("normal", "reduced", "low", "critical", "nodata")

# Sparkline colours (RGB): observed bars and the expected level.
SPARK_BAR = (44, 123, 182)
SPARK_LOW = (215, 25, 28)
SPARK_EXPECTED = (60, 60, 60)
