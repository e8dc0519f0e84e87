"""Published statistics shipped with lgsim, with their sources, and their loaders.

``official``
    The annual, within-year, target and street files of the district (CSV in this
    folder; see ``README.md`` here for what each holds and where it comes from), and the
    growth series forecasts are fitted on.
``growth_figures``
    Published growth by area, full-year and year-to-date (with targets and levels), from
    the annual format or the tidy ``published_indicators.csv`` format: what the record of
    past forecast errors reads.
"""

from .growth_figures import GrowthFigure, GrowthFigures, read_growth_figures
from .official import (
    growth_frame,
    growth_series,
    load_annual,
    load_intra_year,
    load_streets,
    load_targets,
)

__all__ = [
    "GrowthFigure", "GrowthFigures", "growth_frame", "growth_series", "load_annual",
    "load_intra_year", "load_streets", "load_targets", "read_growth_figures",
]
