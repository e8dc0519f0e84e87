"""Pauses of construction clocks: the union of pausing shocks' spans (rule 4).

Pure array functions over replications. Intervals are half-open ``[a, b)``: a project
ready at ``a`` waits until ``b``; work that ends exactly at ``a`` is not paused.
"""

from __future__ import annotations

import numpy as np


def merge_intervals(start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Union of intervals per replication.

    Parameters
    ----------
    start, end : numpy.ndarray
        Shape ``(R, K)``; NaN start means "no interval".

    Returns
    -------
    numpy.ndarray
        Shape ``(R, K, 2)``: disjoint intervals sorted by start, NaN-padded at the end.
    """
    n, k = start.shape
    out = np.full((n, k, 2), np.nan)
    if k == 0:
        return out
    order = np.argsort(np.where(np.isnan(start), np.inf, start), axis=1, kind="stable")
    s = np.take_along_axis(start, order, axis=1)
    e = np.take_along_axis(end, order, axis=1)
    cur_s = s[:, 0].copy()
    cur_e = e[:, 0].copy()
    pos = np.zeros(n, dtype=np.int64)
    rows = np.arange(n)
    for j in range(1, k):
        valid = ~np.isnan(s[:, j])
        overlap = valid & (s[:, j] <= cur_e)
        new = valid & ~overlap
        # close the current interval where a disjoint one begins
        out[rows[new], pos[new], 0] = cur_s[new]
        out[rows[new], pos[new], 1] = cur_e[new]
        pos[new] += 1
        cur_e = np.where(overlap, np.maximum(cur_e, e[:, j]), cur_e)
        cur_s = np.where(new, s[:, j], cur_s)
        cur_e = np.where(new, e[:, j], cur_e)
    has = ~np.isnan(cur_s)
    out[rows[has], pos[has], 0] = cur_s[has]
    out[rows[has], pos[has], 1] = cur_e[has]
    return out


def effective_time(t: np.ndarray, pauses: np.ndarray) -> np.ndarray:
    """Working time elapsed by ``t``: ``t`` minus paused time in ``[0, t)``.

    Parameters
    ----------
    t : numpy.ndarray
        Shape ``(R, ...)``.
    pauses : numpy.ndarray
        Shape ``(R, K, 2)`` from :func:`merge_intervals`.
    """
    t = np.asarray(t, dtype=float)
    out = t.copy()
    extra = (1,) * (t.ndim - 1)
    for j in range(pauses.shape[1]):
        a = pauses[:, j, 0].reshape(-1, *extra)
        b = pauses[:, j, 1].reshape(-1, *extra)
        lost = np.clip(np.minimum(t, b) - a, 0.0, None)
        out -= np.nan_to_num(lost, nan=0.0)
    return out


def push_out(t: np.ndarray, pauses: np.ndarray) -> np.ndarray:
    """Move times that fall inside a pause ``[a, b)`` to its end ``b``."""
    out = np.array(t, dtype=float, copy=True)
    extra = (1,) * (out.ndim - 1)
    for j in range(pauses.shape[1]):
        a = pauses[:, j, 0].reshape(-1, *extra)
        b = pauses[:, j, 1].reshape(-1, *extra)
        inside = (out >= a) & (out < b)
        out = np.where(inside, b, out)
    return out


def finish_time(start: np.ndarray, duration: np.ndarray, pauses: np.ndarray) -> np.ndarray:
    """Calendar time when ``duration`` months of work from ``start`` are done.

    ``start`` must not lie inside a pause (see :func:`push_out`).
    """
    t = effective_time(start, pauses) + duration
    extra = (1,) * (t.ndim - 1)
    for j in range(pauses.shape[1]):
        a = pauses[:, j, 0].reshape(-1, *extra)
        b = pauses[:, j, 1].reshape(-1, *extra)
        t = np.where(a < t, t + np.nan_to_num(b - a, nan=0.0), t)
    return t
