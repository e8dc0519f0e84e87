"""The kind prefix of a ``[sources]`` text: where a number comes from, or why it is assumed.

Every text starts with its kind, in English or in Chinese, the colon ASCII or full-width:

* a source: ``source:`` or ``来源：`` (``来源:``), then the title and address;
* an assumption: ``assumption:`` or ``假设：`` (``假设:``), then why.
"""

from __future__ import annotations

#: The words of each kind, English first.
KIND_WORDS = {"source": ("source", "来源"), "assumption": ("assumption", "假设")}
#: The colons that may end a kind word: ASCII and full-width.
COLONS = (":", "：")
#: Every prefix a ``[sources]`` text may start with, exactly as written.
PREFIXES = tuple(f"{word}{colon}" for words in KIND_WORDS.values() for word in words
                 for colon in COLONS)
_KIND_OF_WORD = {word: kind for kind, words in KIND_WORDS.items() for word in words}


def source_prefix(text: str) -> str | None:
    """The prefix ``text`` starts with exactly (``"source:"``, ``"来源："``...), else None."""
    return next((p for p in PREFIXES if text.startswith(p)), None)


def source_kind(text: str) -> tuple[str, str] | None:
    """``("source" | "assumption", text after the prefix)`` of a ``[sources]`` text.

    Lenient, for reading: the kind word may carry spaces around it and capitals
    (``"Assumption : why"``); the first colon of either width ends it. None if the
    text before that colon is not a kind word, or there is no colon.
    """
    cut = min((i for i in (text.find(c) for c in COLONS) if i >= 0), default=-1)
    if cut < 0:
        return None
    kind = _KIND_OF_WORD.get(text[:cut].strip().lower())
    return None if kind is None else (kind, text[cut + 1:].strip())
