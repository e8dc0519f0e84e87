"""The language of what people read: Chinese by default, English on request (gettext).

Source strings are English (the msgids, marked ``_("...")`` in the code); the catalogue
``lgsim/locale/zh_CN/LC_MESSAGES/lgsim.po`` translates them and its compiled ``lgsim.mo``
ships inside the package, read by the standard library's :mod:`gettext` (Babel only
extracts and compiles: ``tools/i18n.sh``).

Which language, first match wins:

1. :func:`set_language` (the command line's ``--lang zh|en``);
2. the environment variable ``LGSIM_LANG`` (``zh`` or ``en``; ``zh_CN``, ``en_US.UTF-8``
   and the like are read by their first two letters);
3. Chinese.

The system locale (``LANG``, ``LC_ALL``, ``LANGUAGE``) is deliberately not consulted: an
analyst's Windows or server locale says little about the language they want to read.

Text is looked up when it is made, so module-level text is marked with :func:`N_` and
translated where it is used. File names, key paths, ids and numbers are never translated.
"""

from __future__ import annotations

import contextlib
import gettext
import os
from collections.abc import Iterator
from pathlib import Path

#: The gettext domain (``lgsim.mo``).
DOMAIN = "lgsim"
#: Where the compiled catalogues live (package data).
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
#: The environment variable that chooses the language.
ENV = "LGSIM_LANG"
#: The languages, the default first.
LANGUAGES = ("zh", "en")
DEFAULT = "zh"
#: The catalogue of each language (English is the source: no catalogue).
_LOCALES = {"zh": "zh_CN", "en": None}

_chosen: str | None = None
_cache: dict[str, gettext.NullTranslations] = {}


def normalise(text: str | None) -> str | None:
    """``zh`` or ``en`` for a language name (``zh_CN``, ``en-US.UTF-8``...), else None."""
    if not text:
        return None
    code = text.strip().lower().replace("-", "_").split(".")[0]
    for lang in LANGUAGES:
        if code == lang or code.startswith(lang + "_"):
            return lang
    return None


def env_language() -> tuple[str | None, str]:
    """The language ``LGSIM_LANG`` asks for (None if unset or unknown) and its raw text."""
    raw = os.environ.get(ENV, "")
    return normalise(raw), raw


def language() -> str:
    """The current language: ``"zh"`` or ``"en"``."""
    if _chosen is not None:
        return _chosen
    return env_language()[0] or DEFAULT


def set_language(lang: str | None) -> None:
    """Use ``lang`` (``"zh"``/``"en"``) from now on; None goes back to ``LGSIM_LANG``/Chinese.

    Raises
    ------
    ValueError
        For a language other than Chinese or English.
    """
    global _chosen
    if lang is None:
        _chosen = None
        return
    code = normalise(lang)
    if code is None:
        raise ValueError(f"expected one of {', '.join(LANGUAGES)}, found {lang!r}")
    _chosen = code


@contextlib.contextmanager
def using(lang: str | None) -> Iterator[None]:
    """Use ``lang`` meanwhile (None: leave the language as it is)."""
    global _chosen
    old = _chosen
    if lang is not None:
        set_language(lang)
    try:
        yield
    finally:
        _chosen = old


def translations(lang: str | None = None) -> gettext.NullTranslations:
    """The gettext translations of ``lang`` (default: the current language)."""
    lang = lang or language()
    found = _cache.get(lang)
    if found is None:
        locale = _LOCALES.get(lang)
        found = (gettext.NullTranslations() if locale is None else
                 gettext.translation(DOMAIN, LOCALE_DIR, languages=[locale], fallback=True))
        _cache[lang] = found
    return found


def _(message: str) -> str:
    """``message`` (English source text) in the current language."""
    return translations().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for ``n`` in the current language."""
    return translations().ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue without translating it now (module-level text)."""
    return message


def is_chinese() -> bool:
    """Whether the current language is Chinese (for layout that differs, e.g. colons)."""
    return language() == "zh"
