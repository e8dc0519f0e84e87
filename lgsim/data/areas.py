"""The areas of the shipped data, as text names them (a light module: no pandas).

Files and messages about the data keep the ids (``Longgang``, ``Shenzhen``); text for
people shows their names in the current language (龙岗区, 深圳市 in Chinese).
"""

from __future__ import annotations

from collections.abc import Callable

from ..i18n import N_, Message

#: The areas of the shipped files, by their id in the data (their names, translated where
#: shown: 龙岗区, 深圳市; files and messages about the data keep the ids).
AREA_NAMES: dict[str, str] = {"Longgang": N_("Longgang"), "Shenzhen": N_("Shenzhen")}


def area_text(area: str, tr: Callable[[str], str] = str) -> str:
    """An area in text: a shipped area's name translated by ``tr`` (龙岗区), else its id.

    The id itself with the identity ``tr`` (files).
    """
    return tr(AREA_NAMES[area]) if area in AREA_NAMES else area


def area_name(area: str) -> str:
    """An area as text shows it, for a :class:`lgsim.i18n.Message` field.

    A Message for a shipped area (shown as 龙岗区 in Chinese, ``Longgang`` in files), else
    the id as it is.
    """
    return Message(AREA_NAMES[area]) if area in AREA_NAMES else area
