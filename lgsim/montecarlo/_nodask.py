"""Keep xarray from importing dask where lgsim only handles numpy arrays.

When dask is installed, xarray probes for it while building a Dataset from numpy arrays
(``array_type("dask")`` imports ``dask.array``) and while writing netCDF (the scheduler
check imports ``distributed``): about 1 s of imports on the ``run`` path for arrays that
can never be dask arrays. :func:`dask_hidden` makes dask look absent for the duration of
a block, *only if dask is not imported yet* (then no dask array can exist in this
process, so the answer "not a dask array" is exact), and undoes every trace afterwards:
the blocking entries in :data:`sys.modules`, xarray's cached "is dask installed?" answer
(``module_available``) and its cached dask probe (``_cached_duck_array_modules``). If
dask is already imported (a notebook using it, the dask executor) it does nothing; with
an xarray whose internals differ it does nothing either (only slower).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

_HIDDEN = ("dask", "distributed")


@contextlib.contextmanager
def dask_hidden() -> Iterator[None]:
    """Within the block, ``import dask`` / ``import distributed`` fail as if not installed.

    Not for use while other threads may import dask.
    """
    if any(name in sys.modules for name in _HIDDEN):
        yield
        return
    try:
        from xarray.namedarray import pycompat, utils

        cache = pycompat._cached_duck_array_modules
        clear = utils.module_available.cache_clear
    except (ImportError, AttributeError):  # pragma: no cover - other xarray versions
        yield
        return
    had_probe = "dask" in cache
    for name in _HIDDEN:
        sys.modules[name] = None  # type: ignore[assignment]
    clear()  # xarray caches "is dask installed?"
    try:
        yield
    finally:
        for name in _HIDDEN:
            if name in sys.modules and sys.modules[name] is None:
                del sys.modules[name]
        clear()
        if not had_probe:
            cache.pop("dask", None)
