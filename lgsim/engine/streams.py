"""Random streams keyed by entity and field, independent of order and of workers.

Every uniform is addressed by ``(seed, entity, slot, replication, index)``:

* ``entity`` is ``kind:id`` (``project:yangmeigang``, ``sector:industry``...),
* ``slot`` is the field's name (``start_delay_months``, ``growth@2023``...),
* a *lane* is one ``(seed, entity, slot)``; its Philox key is the blake2b digest of the
  three (never Python's salted ``hash``), and replication ``r`` owns a fixed range of
  counter blocks in it.

Because each lane is its own counter-based stream, adding, removing or reordering
entities changes no other entity's draws, a fixed value "reserves" its slot trivially, and
any chunk of replications can be generated on its own — so results do not depend on how
replications are split across workers (docs/model.md, "Randomness").
"""

from __future__ import annotations

import hashlib

import numpy as np

#: Uniforms are ``(k + 1/2) / 2**52`` for the top 52 bits ``k`` of a word: strictly inside
#: (0, 1) — with 53 bits the largest value would round to exactly 1.0.
_TWO_POW_52 = float(2**52)
#: Each Philox counter block yields four 64-bit words.
_WORDS_PER_BLOCK = 4


def words_to_uniform(raw: np.ndarray) -> np.ndarray:
    """Map 64-bit words to uniforms strictly inside (0, 1): ``(k + 1/2) / 2**52``."""
    return ((raw >> np.uint64(12)).astype(np.float64) + 0.5) / _TWO_POW_52


def lane_key(seed: int, entity: str, slot: str) -> int:
    """128-bit Philox key of the lane ``(seed, entity, slot)``."""
    h = hashlib.blake2b(digest_size=16, person=b"lgsim-lane-v1")
    h.update(f"{int(seed)}\x1f{entity}\x1f{slot}".encode())
    return int.from_bytes(h.digest(), "little")


class Streams:
    """Uniform draws for one chunk of replications ``[start, start + n)``.

    Parameters
    ----------
    seed : int
        The run's seed (0 ≤ seed < 2**63).
    start : int
        First replication of the chunk.
    n : int
        Number of replications in the chunk.
    """

    def __init__(self, seed: int, start: int, n: int) -> None:
        self.seed = int(seed)
        self.start = int(start)
        self.n = int(n)

    def uniform(self, entity: str, slot: str, width: int = 1) -> np.ndarray:
        """Uniforms in the open interval (0, 1).

        Parameters
        ----------
        entity : str
            ``kind:id`` of the entity drawing.
        slot : str
            The field drawn.
        width : int
            Values per replication (e.g. one per batch member).

        Returns
        -------
        numpy.ndarray
            Shape ``(n,)`` when ``width == 1``, else ``(n, width)``. Replication ``r``'s
            values depend only on ``(seed, entity, slot, r)`` and ``width``.
        """
        blocks = -(-width // _WORDS_PER_BLOCK)
        words = blocks * _WORDS_PER_BLOCK
        bitgen = np.random.Philox(
            key=lane_key(self.seed, entity, slot), counter=self.start * blocks
        )
        raw = bitgen.random_raw(self.n * words).reshape(self.n, words)[:, :width]
        u = words_to_uniform(raw)
        return u[:, 0] if width == 1 else u

    def normal(self, entity: str, slot: str, width: int = 1) -> np.ndarray:
        """Standard normals, the inverse normal CDF of :meth:`uniform`."""
        from scipy.special import ndtri

        return ndtri(self.uniform(entity, slot, width))
