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

Text that is both written to a file (in English, whatever the language) and shown on the
terminal is kept as a :class:`Message`: the English text, which remembers its message id
and fields, so that :func:`localized` shows it in the current language when it is printed.
"""

from __future__ import annotations

import contextlib
import gettext
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

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


def pgettext(context: str, message: str) -> str:
    """``message`` in the current language, where the same English needs another translation.

    ``context`` tells the uses apart (e.g. ``"column"`` for a table's column heading).
    """
    return translations().pgettext(context, message)


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue without translating it now (module-level text)."""
    return message


def error_line(file: str, where: str, expected: str, found: str, hint: str = "") -> str:
    """The one-line message of a bad input, its fixed frame in the current language.

    ``<file>: <where>: expected <what>, found <what>`` (Chinese ``<file>：<where>：应为
    <what>，实为 <what>``); ``where`` (a key path, or a sheet, row and column) may be
    empty; ``hint`` adds `` (<hint>)``. Shared by scenario and data-file errors.
    """
    place = _("{file}: {path}").format(file=file, path=where) if where else file
    text = _("{where}: expected {expected}, found {found}").format(
        where=place, expected=expected, found=found)
    if hint:
        text += _(" ({hint})").format(hint=hint)
    return " ".join(text.splitlines())


def is_chinese() -> bool:
    """Whether the current language is Chinese (for layout that differs, e.g. colons)."""
    return language() == "zh"


#: The separator of a list of items in a :class:`Message` field (translated when shown).
LIST_SEPARATOR = N_(", ")


class Message(str):
    """English text that can also be shown in the current language.

    ``Message(N_("{n} past errors"), n=3)`` *is* the string ``"3 past errors"`` (what files,
    JSON, comparisons and ``str()`` see), and remembers its message id and fields:
    :meth:`translated` (or :func:`localized`) formats the translated message id instead.
    Fields that are Messages are translated with it; a list or tuple field is joined with
    ``", "`` (the current language's separator when translated); other values are
    formatted as they are.
    """

    msgid: str
    fields: dict[str, Any]

    def __new__(cls, msgid: str, /, **fields: Any) -> Message:
        """The English text of ``msgid`` with ``fields``, remembering both."""
        self = super().__new__(cls, _render(msgid, fields, False))
        self.msgid = msgid
        self.fields = fields
        return self

    def __reduce__(self) -> tuple:
        # picklable with its fields (results travel between processes)
        return (_message, (self.msgid, self.fields))

    def translated(self) -> str:
        """The text in the current language."""
        return _render(_(self.msgid), self.fields, True)


class Composed(Message):
    """A :class:`Message` built by a function of the translation function.

    For text assembled from several translated pieces: ``make(str)`` is the English text
    (what the string holds), ``make(_)`` the text in the current language. ``make`` should
    be picklable (a module-level function, or a :func:`functools.partial` of one).
    """

    make: Callable[[Callable[[str], str]], str]

    def __new__(cls, make: Callable[[Callable[[str], str]], str]) -> Composed:
        """The English text ``make(str)``, remembering ``make``."""
        self = str.__new__(cls, make(str))
        self.msgid, self.fields, self.make = str(self), {}, make
        return self

    def __reduce__(self) -> tuple:
        return (type(self), (self.make,))

    def translated(self) -> str:
        """The text in the current language."""
        return self.make(_)


def _message(msgid: str, fields: dict[str, Any]) -> Message:
    return Message(msgid, **fields)


def _render(template: str, fields: dict[str, Any], translate: bool) -> str:
    def show(value: Any) -> Any:
        if isinstance(value, list | tuple):
            sep = _(LIST_SEPARATOR) if translate else LIST_SEPARATOR
            return sep.join(str(show(v)) for v in value)
        if isinstance(value, Message):
            return value.translated() if translate else str(value)
        return value

    return template.format(**{k: show(v) for k, v in fields.items()})


def localized(text: str) -> str:
    """``text`` in the current language if it is a :class:`Message`, else as it is."""
    return text.translated() if isinstance(text, Message) else text
