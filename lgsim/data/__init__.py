"""Published statistics shipped with lgsim, with their sources, and their loaders.

``official``
    The annual, within-year, target and street files of the district (CSV in this
    folder; see ``README.md`` here for what each holds and where it comes from), and the
    growth series forecasts are fitted on.
``growth_figures``
    Published growth by area, full-year and year-to-date (with targets and levels), from
    the annual format or the tidy ``published_indicators.csv`` format: what the record of
    past forecast errors reads.
``io_tables``
    The national input–output tables aggregated to ten industries (``io/``, see its
    ``PROVENANCE.md``) and the reader of tables in their format.
``published``
    Published indicators with their vintages (``published_indicators.csv``, or a user's
    file in the same format, CSV or Excel): :func:`~.published.load_published` and
    ``as_of(date)``; the indicators lgsim knows (``indicators.csv``).

The loaders of ``official`` and ``growth_figures`` are imported on first use (they need
pandas, which ``import lgsim`` does not load).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

#: Public name → the module of this package that defines it.
_HOMES = {
    **dict.fromkeys(("growth_frame", "growth_series", "load_annual", "load_intra_year",
                     "load_streets", "load_targets"), ".official"),
    **dict.fromkeys(("GrowthFigure", "GrowthFigures", "read_growth_figures"),
                    ".growth_figures"),
    "load_published": ".published",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(import_module(_HOMES[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
