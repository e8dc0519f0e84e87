"""Value added of project spending: direct, indirect through the supply chain, leakage.

One 亿元 of real additional project spending buys domestic products ``y`` (``(S,)``, the
input–output table's GFCF composition times the direct local share; the rest is
imported). Producing ``y`` in the district adds the direct value added ``v ⊙ y``. Its
producers buy inputs ``A y``, of which the share ``λ`` (``local_share``) is bought inside
the district, and so on round after round; the district's output is
``x = Σ_k (λA)^k y = (I − λA)⁻¹ y`` and the indirect value added is ``v ⊙ (x − y)``. The
remainder of the 亿元 — imports and purchases from outside the district — is leakage
(docs/investment.md).

Without ``[io]`` only the works formula counts: ``construction_share ×
construction_va_ratio × local_share`` per 亿元, all in construction, nothing indirect —
the lower bound.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..scenario import Scenario


def direct_value_added(v: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Direct value added by sector per unit of spending, ``v ⊙ y`` ``(S,)``."""
    return v * y


def indirect_value_added(a: np.ndarray, v: np.ndarray, y: np.ndarray,
                         local: np.ndarray) -> np.ndarray:
    """Indirect value added by sector per unit of spending, ``(R, S)``.

    Parameters
    ----------
    a : numpy.ndarray
        ``(S, S)`` domestic technical coefficients.
    v : numpy.ndarray
        ``(S,)`` value added per unit of output.
    y : numpy.ndarray
        ``(S,)`` domestic products bought per unit of spending, inside the district.
    local : numpy.ndarray
        ``(R,)`` share of each indirect round bought inside the district.

    Returns
    -------
    numpy.ndarray
        ``v ⊙ ((I − λ_r A)⁻¹ y − y)`` for every ``λ_r``; zero where ``λ_r = 0``.
    """
    local = np.asarray(local, dtype=float)
    values, inverse = np.unique(local, return_inverse=True)
    eye = np.eye(len(v))
    systems = eye[None, :, :] - values[:, None, None] * a[None, :, :]
    x = np.linalg.solve(systems, np.broadcast_to(y, (len(values), len(y)))[:, :, None])[:, :, 0]
    per_value = v[None, :] * (x - y[None, :])
    per_value[values == 0.0] = 0.0
    return per_value[inverse.reshape(-1)]


@dataclass(frozen=True)
class Spending:
    """Value added per 亿元 of real additional project spending.

    Attributes
    ----------
    direct_ratio : float
        Direct value added per 亿元 (all sectors).
    direct_split : numpy.ndarray
        ``(S,)`` sector shares of the direct value added (sum 1; zeros when none).
    a, v, y : numpy.ndarray or None
        The table's domestic coefficients, value-added ratios and local direct purchases
        per 亿元 (None without ``[io]``: nothing indirect).
    """

    direct_ratio: float
    direct_split: np.ndarray
    a: np.ndarray | None = None
    v: np.ndarray | None = None
    y: np.ndarray | None = None

    def indirect(self, local: np.ndarray) -> np.ndarray:
        """Indirect value added by sector per 亿元, ``(R, S)`` (zeros without ``[io]``)."""
        if self.a is None or self.v is None or self.y is None:
            return np.zeros((len(local), len(self.direct_split)))
        return indirect_value_added(self.a, self.v, self.y, local)


def spending_for(scenario: Scenario) -> Spending:
    """The scenario's :class:`Spending`: its ``[io]`` table, or the works formula."""
    n = len(scenario.sectors)
    io = scenario.io
    if io is None:
        split = np.zeros(n)
        ids = [s.id for s in scenario.sectors]
        if "construction" in ids:
            split[ids.index("construction")] = 1.0
        return Spending(scenario.accounting.works_ratio, split)
    y = io.final_demand * io.gfcf_share * io.direct_local_share
    direct = direct_value_added(io.v, y)
    ratio = float(direct.sum())
    split = direct / ratio if ratio > 0 else np.zeros(n)
    return Spending(ratio, split, io.a, io.v, y)
