"""Keyed random streams of the forecasts: order-free, parameters apart from shocks.

Every simulation draws from two generators keyed by ``(seed, *key)`` through blake2b
(for example ``(seed, "forecast", model, last_year)`` or ``(seed, "backtest", model,
origin)``), so adding or reordering models or origins changes no other draw.
"""

from __future__ import annotations

import hashlib

import numpy as np

from ..i18n import _

#: The generators a model simulates with: (parameter draws, shocks).
Rngs = tuple[np.random.Generator, np.random.Generator]


def keyed_rngs(seed: int, *key: object) -> Rngs:
    """Two generators (parameters, shocks) keyed by ``(seed, *key)``, order-free.

    The key is hashed with blake2b, so adding or reordering models or origins changes
    no other draw; parameter and shock draws come from separate streams, so a run
    with and without parameter uncertainty shares its shocks.
    """
    h = hashlib.blake2b(digest_size=16, person=b"lgsim-fcst-v1")
    h.update("\x1f".join(str(k) for k in key).encode())
    words = tuple(int(w) for w in np.frombuffer(h.digest(), dtype=np.uint32))
    params, shocks = np.random.SeedSequence(int(seed), spawn_key=words).spawn(2)
    return np.random.default_rng(params), np.random.default_rng(shocks)


def check_seed(seed: int) -> int:
    """The seed as an int; raise ValueError unless it is an integer >= 0."""
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(_("seed: expected an integer >= 0, found {value!r}").format(value=seed))
    return int(seed)
