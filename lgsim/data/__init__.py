"""Published statistics shipped with lgsim, with their sources, and their loaders.

``official``
    The annual, within-year, target and street files of the district (CSV in this
    folder; see ``README.md`` here for what each holds and where it comes from), and the
    growth series forecasts are fitted on.
``io_tables``
    The national input–output tables aggregated to ten industries (``io/``, see its
    ``PROVENANCE.md``) and the reader of tables in their format.
``published``
    Published indicators with their vintages (``published_indicators.csv``, or a user's
    file in the same format, CSV or Excel): :func:`~.published.load_published` and
    ``as_of(date)``; the indicators lgsim knows (``indicators.csv``).

The loaders of ``official`` are imported on first use (they need pandas, which
``import lgsim`` does not load).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__all__ = [
    "growth_frame", "growth_series", "load_annual", "load_intra_year", "load_published",
    "load_streets", "load_targets",
]


def __getattr__(name: str) -> Any:
    if name == "load_published":
        return import_module(".published", __name__).load_published
    if name in __all__:
        return getattr(import_module(".official", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
