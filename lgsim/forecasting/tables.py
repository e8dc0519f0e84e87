"""The forecasting commands' tables as terminal text, with headings in the current language.

The frames the API returns (and the CSV files) keep their English column names; only the
text printed translates the headings and the kinds of model (:mod:`lgsim.i18n`), and lines
up Chinese by display width.
"""

from __future__ import annotations

from typing import Any

from ..i18n import pgettext


def kind_name(kind: str) -> str:
    """``model``, ``benchmark``, ``combination`` in the current language."""
    names = {"model": pgettext("model kind", "model"),
             "benchmark": pgettext("model kind", "benchmark"),
             "combination": pgettext("model kind", "combination")}
    return names.get(kind, kind)


def headings() -> dict[str, str]:
    """Column headings of the printed tables (names not listed are shown as they are)."""
    return {
        "year": pgettext("column", "year"), "model": pgettext("column", "model"),
        "kind": pgettext("column", "kind"), "weight": pgettext("column", "weight"),
        "mean": pgettext("column", "mean"), "sd": pgettext("column", "sd"),
        "n": pgettext("column", "n"), "n_origins": pgettext("column", "n_origins"),
        "n_lb": pgettext("column", "n_lb"), "n_est": pgettext("column", "n_est"),
        "cover80 [95% CI]": pgettext("column", "cover80 [95% CI]"),
        "cover95 [95% CI]": pgettext("column", "cover95 [95% CI]"),
    }


def table_text(frame: Any, **to_string: Any) -> str:
    """``frame.to_string(**to_string)`` with translated headings and kinds, aligned."""
    import pandas as pd

    names = headings()
    shown = frame.copy()
    if "kind" in shown.columns:
        shown["kind"] = shown["kind"].map(kind_name)
    shown = shown.rename(columns=names)
    if shown.index.name is not None:
        shown.index.name = names.get(shown.index.name, shown.index.name)
    with pd.option_context("display.unicode.east_asian_width", True):
        return shown.to_string(**to_string)
