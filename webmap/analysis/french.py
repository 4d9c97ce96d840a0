"""Numbers as French readers write them: « 12 345,6 » (narrow no-break space between
thousands, comma before decimals). The one Python formatter of legends, tables, tooltips
and reports; `WebMap.formatNumber` (static/format.js) gives the same text for the same
value, checked on shared test vectors (tests/vectors/numbers.json)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

THOUSANDS = "\u202f"


def format_number(value: float, decimals: int = 0) -> str:
    """`value` rounded to `decimals` places, ties away from zero on its exact binary value
    (as JavaScript's toFixed), grouped by thousands; never « -0 »."""
    rounded = Decimal(value).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)
    return f"{rounded:,.{decimals}f}".replace(",", THOUSANDS).replace(".", ",")
