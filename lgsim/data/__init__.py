"""Published statistics shipped with lgsim, with their sources, and their loaders.

``official``
    The annual, within-year, target and street files of the district (CSV in this
    folder; see ``README.md`` here for what each holds and where it comes from), and the
    growth series forecasts are fitted on.
"""

from .official import (
    growth_frame,
    growth_series,
    load_annual,
    load_intra_year,
    load_streets,
    load_targets,
)

__all__ = [
    "growth_frame", "growth_series", "load_annual", "load_intra_year", "load_streets",
    "load_targets",
]
