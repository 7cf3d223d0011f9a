"""A tiny PNG encoder and the sparkline drawn with it.

E-mail clients drop SVG, so charts in the e-mail are raster images. The images are a few
hundred pixels of flat colour: zlib and the PNG chunk format are all that is needed, which keeps
an imaging library out of the dependencies.
"""

from __future__ import annotations

import struct
import zlib

from reports.tiles import SPARK_BAR, SPARK_EXPECTED, SPARK_LOW

WHITE = (255, 255, 255)


def encode_png(width: int, height: int, pixels: list[list[tuple[int, int, int]]]) -> bytes:
    """8-bit RGB PNG from rows of (r, g, b) pixels, top row first."""
    if len(pixels) != height or any(len(row) != width for row in pixels):
        raise ValueError(f"pixels must be {height} rows of {width} pixels")
    raw = b"".join(b"\x00" + bytes(c for px in row for c in px) for row in pixels)

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def sparkline_png(
    values: tuple[float, ...],
    expected: tuple[float | None, ...],
    bar: int = 10,
    gap: int = 2,
    height: int = 24,
) -> bytes:
    """Bars of weekly activity; a dark tick marks each week's expected level; bars below
    half of it are red. Scaled to the largest of values and expectations."""
    top = max([*values, *(e for e in expected if e is not None), 1.0])
    width = len(values) * (bar + gap) - gap if values else 1
    pixels = [[WHITE] * width for _ in range(height)]
    for i, value in enumerate(values):
        exp = expected[i] if i < len(expected) else None
        colour = SPARK_LOW if exp and value < 0.5 * exp else SPARK_BAR
        filled = round((height - 1) * value / top) if value > 0 else 0
        x0 = i * (bar + gap)
        for y in range(height - max(filled, 1 if value > 0 else 0), height):
            pixels[y][x0 : x0 + bar] = [colour] * bar
        if exp is not None:
            y = height - 1 - round((height - 1) * exp / top)
            pixels[max(y, 0)][x0 : x0 + bar] = [SPARK_EXPECTED] * bar
    return encode_png(width, height, pixels)
