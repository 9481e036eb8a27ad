"""The brand colour and its tints, for every output (HTML/PDF, charts, the
deck, the results workbook).

The colour comes from a workbook cell and lands inside <style>, an SVG and
Office XML: only a strict #rgb / #rrggbb value passes, so a cell cannot
inject CSS (url() fetches and the like).
"""
from __future__ import annotations

from ..inputs.values import is_colour

DEFAULT_BRAND = "#1f4e79"


def brand_color(value: str | None) -> str:
    """`#rrggbb` (lower case) for a plain #rgb / #rrggbb value, else the default."""
    if value and is_colour(value.strip()):
        v = value.strip().lower()
        if len(v) == 4:
            v = "#" + "".join(c * 2 for c in v[1:])
        return v
    return DEFAULT_BRAND


def tint(hex_color: str, amount: float) -> str:
    """Mix a `#rrggbb` colour with white: amount 0 = white, 1 = the colour."""
    r, g, b = (int(hex_color[i:i + 2], 16) for i in (1, 3, 5))
    mix = [round(255 - (255 - c) * amount) for c in (r, g, b)]
    return "#" + "".join(f"{c:02x}" for c in mix)


def office_hex(hex_color: str) -> str:
    """`#1f4e79` as Office XML writes it: `1F4E79`."""
    return hex_color[1:].upper()
