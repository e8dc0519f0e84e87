"""Random lanes: independent of chunking, of other entities and of the process."""

from __future__ import annotations

import subprocess
import sys

import numpy as np

from lgsim.engine.streams import Streams, lane_key


def test_chunks_reassemble_to_the_same_stream():
    whole = Streams(5, 0, 1000).uniform("batch:b", "size", 7)
    parts = [Streams(5, s, n).uniform("batch:b", "size", 7) for s, n in ((0, 333), (333, 667))]
    np.testing.assert_array_equal(whole, np.vstack(parts))


def test_lanes_are_distinct_and_uniform():
    st = Streams(1, 0, 20000)
    a = st.uniform("project:a", "duration_months")
    b = st.uniform("project:b", "duration_months")
    c = st.uniform("project:a", "execution")
    assert abs(np.corrcoef(a, b)[0, 1]) < 0.03 and abs(np.corrcoef(a, c)[0, 1]) < 0.03
    assert 0 < a.min() and a.max() < 1
    # Kolmogorov–Smirnov distance to U(0, 1)
    grid = np.sort(a)
    ks = np.max(np.abs(grid - (np.arange(1, grid.size + 1) - 0.5) / grid.size))
    assert ks < 0.015
    assert not np.array_equal(a, Streams(2, 0, 20000).uniform("project:a", "duration_months"))


def test_lane_key_does_not_depend_on_the_process():
    code = ("from lgsim.engine.streams import lane_key; "
            "print(lane_key(42, 'project:x', 'execution'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert int(out.stdout) == lane_key(42, "project:x", "execution")


def test_extreme_words_map_strictly_inside_the_unit_interval():
    from lgsim.engine.streams import words_to_uniform

    u = words_to_uniform(np.array([0, 1, 2**64 - 2, 2**64 - 1], dtype=np.uint64))
    assert 0 < u[0] <= u[1] and u[2] <= u[3] < 1
