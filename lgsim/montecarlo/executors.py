"""Where chunks of replications run: in this process, a process pool, or dask.

The unit of work is a fixed chunk ``[k·C, (k+1)·C)`` (:class:`Chunk`); executors only decide
where it runs. Results are keyed by chunk index and reassembled in order by the caller,
so they never depend on the executor, the worker count or the finishing order
(``tests/test_executors.py`` runs the same assertions over every executor).

* ``serial`` — chunks run one after the other in this process.
* ``process`` — a :class:`concurrent.futures.ProcessPoolExecutor`; on Linux its workers
  are forked from this process when it runs a single thread (they start in milliseconds
  and inherit the imported modules), else started by a fork server; elsewhere spawned
  (:func:`process_context`).
* ``dask`` — a ``dask.distributed`` cluster: an existing one (``scheduler`` address) or
  a local one started and closed here (one single-threaded process per worker: simpy
  holds the GIL). dask is an optional extra: ``pip install "lgsim[dask]"``.

Chunks are submitted in index order with a bounded number in flight, so a caller that
stops early (stop-at-precision) wastes at most that many chunks, and memory held by
finished-but-unconsumed chunks stays bounded.
"""

from __future__ import annotations

import ctypes
import itertools
import logging
import multiprocessing as mp
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, NamedTuple

from ..i18n import _

_log = logging.getLogger("lgsim")


class Chunk(NamedTuple):
    """One unit of work: replications ``[start, start + size)`` of scenario ``variant``.

    ``index`` keys the result; a run has one variant (0), a what-if evaluation one per
    changed scenario (:mod:`lgsim.montecarlo.outcomes`).
    """

    index: int
    start: int
    size: int
    variant: int = 0


#: Executor names accepted by :func:`map_chunks` and ``--executor``.
EXECUTORS = ("serial", "process", "dask")

#: glibc malloc settings of worker processes (bytes): numpy temporaries of a chunk (a few
#: MB each) stay on the heap and are reused instead of being mapped and unmapped again,
#: with page faults, for every array (measured: ≈25% less time per chunk).
MALLOC_MMAP_THRESHOLD = 32 * 1024 * 1024
#: Free heap memory kept by a worker before it is returned to the system (bytes).
MALLOC_TRIM_THRESHOLD = 64 * 1024 * 1024

#: Environment of local dask workers. dask's default ``MALLOC_TRIM_THRESHOLD_=65536``
#: disables glibc's dynamic mmap threshold, so every numpy temporary above 128 KiB is
#: mapped and unmapped again (chunks ≈1.5–2.5× slower); explicit values replace it (and
#: one inherited from an earlier cluster in the same process: the nanny writes its
#: pre-spawn environment into this process's ``os.environ``).
DASK_WORKER_ENVIRON: dict[str, Any] = {
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": MALLOC_TRIM_THRESHOLD,
    "distributed.nanny.pre-spawn-environ.MALLOC_MMAP_THRESHOLD_": MALLOC_MMAP_THRESHOLD,
}

# mallopt(3) parameter numbers (glibc malloc.h)
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3

_STATE: dict[str, Any] = {}


def default_workers() -> int:
    """All cores available to this process."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def local_workers(requested: int, n_chunks: int) -> int:
    """Worker processes to start on this machine: never more than its cores or the chunks.

    More processes than cores only add memory (each holds the engine, ≈85 MB) and
    switching; results are the same for any number.
    """
    return max(1, min(int(requested), max(1, n_chunks), default_workers()))


def available_memory() -> int | None:
    """Bytes of memory this process can still use (None when unknown).

    ``MemAvailable`` of ``/proc/meminfo``, lowered to the room left under a cgroup v2
    limit (containers) and under this process's address-space limit (``ulimit -v``,
    ``RLIMIT_AS``/``RLIMIT_DATA``: the whole results are gathered in this process); the
    free physical pages elsewhere on POSIX; the available physical memory on Windows.
    """
    try:
        avail = _proc_bytes("/proc/meminfo", "MemAvailable")
    except (OSError, ValueError):
        avail = _sysconf_memory()
    for room in (_cgroup_room(), _rlimit_room()):
        if room is not None:
            avail = room if avail is None else min(avail, room)
    return avail


def _rlimit_room() -> int | None:
    """Bytes left under the soft address-space or data limit (None without a limit).

    The limit counts virtual memory, so the room is the limit less this process's
    current virtual size (``VmSize``; 0 where ``/proc`` is missing).
    """
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows
        return None
    limits = []
    for name in ("RLIMIT_AS", "RLIMIT_DATA"):
        which = getattr(resource, name, None)
        if which is None:
            continue
        soft = resource.getrlimit(which)[0]
        if soft != resource.RLIM_INFINITY and soft > 0:
            limits.append(soft)
    if not limits:
        return None
    try:
        used = _proc_bytes("/proc/self/status", "VmSize") or 0
    except (OSError, ValueError):
        used = 0
    return max(min(limits) - used, 0)


def _proc_bytes(path: str, field: str) -> int | None:
    """A ``<field>: <n> kB`` line of a ``/proc`` file, in bytes (None if absent)."""
    with open(path, encoding="ascii") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    return None


def _sysconf_memory() -> int | None:
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (AttributeError, ValueError, OSError):
        return _windows_memory()


def _windows_memory() -> int | None:  # pragma: no cover - Windows only
    if sys.platform != "win32":
        return None

    class _Status(ctypes.Structure):
        _fields_ = [("dwLength", ctypes.c_ulong), ("dwMemoryLoad", ctypes.c_ulong),
                    ("ullTotalPhys", ctypes.c_ulonglong), ("ullAvailPhys", ctypes.c_ulonglong),
                    ("ullTotalPageFile", ctypes.c_ulonglong),
                    ("ullAvailPageFile", ctypes.c_ulonglong),
                    ("ullTotalVirtual", ctypes.c_ulonglong),
                    ("ullAvailVirtual", ctypes.c_ulonglong),
                    ("sullAvailExtendedVirtual", ctypes.c_ulonglong)]

    status = _Status()
    status.dwLength = ctypes.sizeof(_Status)
    if not ctypes.windll.kernel32.GlobalMemoryStatusEx(ctypes.byref(status)):
        return None
    return int(status.ullAvailPhys)


def _cgroup_room() -> int | None:
    try:
        with open("/sys/fs/cgroup/memory.max", encoding="ascii") as fh:
            limit = fh.read().strip()
        if limit == "max":
            return None
        with open("/sys/fs/cgroup/memory.current", encoding="ascii") as fh:
            used = int(fh.read().strip())
        return max(0, int(limit) - used)
    except (OSError, ValueError):
        return None


# ---------------------------------------------------------------------- dying with the parent
#: prctl(2) option: signal this process when its parent dies (Linux).
_PR_SET_PDEATHSIG = 1
#: Seconds between two looks of a worker's watchdog at its parent.
WATCHDOG_INTERVAL = 0.5


def die_with_parent(parent: int) -> None:
    """Make this (worker) process end when ``parent`` ends, however it ends.

    On Linux the kernel sends SIGKILL when the parent dies (``prctl(PR_SET_PDEATHSIG)``);
    everywhere a daemon thread also looks at the parent every
    :data:`WATCHDOG_INTERVAL` seconds and ends the process once it is gone (a worker of a
    fork server, or a system without ``prctl``). Without this, workers of a parent killed
    by ``kill -9`` or the OOM killer would go on computing, holding memory and the
    caller's pipes.
    """
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # pragma: no cover - not glibc
            pass
    if not parent_alive(parent):  # died before prctl took effect
        os._exit(1)
    threading.Thread(target=_watch, args=(parent,), name="lgsim-watchdog",
                     daemon=True).start()


def _watch(parent: int) -> None:
    while parent_alive(parent):
        time.sleep(WATCHDOG_INTERVAL)
    os._exit(1)


def parent_alive(parent: int) -> bool:
    """True while process ``parent`` (this process's parent when it started) runs."""
    if sys.platform == "win32":  # pragma: no cover - Windows only
        return _windows_alive(parent)
    return os.getppid() == parent


def _windows_alive(pid: int) -> bool:  # pragma: no cover - Windows only
    synchronize, wait_timeout = 0x00100000, 0x102
    kernel32 = ctypes.windll.kernel32
    handle = kernel32.OpenProcess(synchronize, False, pid)
    if not handle:
        return False
    try:
        return kernel32.WaitForSingleObject(handle, 0) == wait_timeout
    finally:
        kernel32.CloseHandle(handle)


def tune_malloc() -> bool:
    """Apply :data:`MALLOC_MMAP_THRESHOLD` / :data:`MALLOC_TRIM_THRESHOLD` to this process.

    Called in worker processes only (never in the caller's process). glibc only; a no-op
    returning False elsewhere.
    """
    if not sys.platform.startswith("linux"):  # pragma: no cover
        return False
    try:
        libc = ctypes.CDLL(None)
        ok = libc.mallopt(_M_MMAP_THRESHOLD, MALLOC_MMAP_THRESHOLD) == 1
        return ok and libc.mallopt(_M_TRIM_THRESHOLD, MALLOC_TRIM_THRESHOLD) == 1
    except (OSError, AttributeError):  # pragma: no cover - not glibc
        return False


def _init_worker(setup: Callable[..., Any], args: tuple, parent: int) -> None:
    for sig in ("SIGTERM", "SIGHUP"):  # the parent's clean-stop handlers are not the worker's
        if hasattr(signal, sig):
            signal.signal(getattr(signal, sig), signal.SIG_DFL)
    die_with_parent(parent)
    tune_malloc()
    _STATE["context"] = setup(*args)


def _init_forkserver_worker(setup: Callable[..., Any], args: tuple) -> None:
    _init_worker(setup, args, os.getppid())  # the fork server; it ends with this process


def _run_in_worker(task: Callable[..., Any], chunk: Chunk) -> tuple[int, Any]:
    return chunk.index, task(_STATE["context"], chunk)


def _run_with_context(task: Callable[..., Any], context: Any, chunk: Chunk) -> tuple[int, Any]:
    return chunk.index, task(context, chunk)


def process_context() -> mp.context.BaseContext:
    """The multiprocessing start method of the ``process`` executor.

    On Linux, ``fork`` when this process runs a single thread: workers start in
    milliseconds with every module already imported and share its pages (``forkserver``
    and ``spawn`` start an interpreter that imports lgsim, numpy, scipy and simpy again).
    With other threads running (a Jupyter kernel, a dask client), forking could copy a
    lock held by one of them, so ``forkserver`` (preloading the engine) is used instead.
    ``spawn`` elsewhere. ``LGSIM_START_METHOD`` overrides (used by the benchmark).
    """
    method = os.environ.get("LGSIM_START_METHOD")
    if method:
        ctx = mp.get_context(method)
    elif not sys.platform.startswith("linux"):  # pragma: no cover
        return mp.get_context("spawn")
    elif threading.active_count() == 1:
        return mp.get_context("fork")
    else:
        ctx = mp.get_context("forkserver")
    if ctx.get_start_method() == "forkserver":
        ctx.set_forkserver_preload(["lgsim.engine.chunk"])
    return ctx


def resolve_executor(executor: str | None, workers: int, n_chunks: int) -> str:
    """The executor to use: ``executor`` if given, else serial for one worker or chunk."""
    if executor is None:
        return "serial" if workers <= 1 or n_chunks <= 1 else "process"
    if executor not in EXECUTORS:
        raise ValueError(f"executor must be one of {', '.join(EXECUTORS)}, not {executor!r}")
    return executor


def map_chunks(
    setup: Callable[..., Any],
    setup_args: tuple,
    task: Callable[[Any, Chunk], Any],
    chunks: Sequence[Chunk],
    workers: int,
    *,
    executor: str | None = None,
    scheduler: str | None = None,
    in_flight: int | None = None,
) -> Iterator[tuple[int, Any]]:
    """Run ``task(context, chunk)`` for each chunk; yield ``(chunk.index, result)``.

    Closing the iterator early (``break`` in the caller) cancels chunks not started
    and shuts the workers down.

    Parameters
    ----------
    setup : callable
        ``setup(*setup_args)`` builds the per-worker context once (e.g. the compiled
        plan). Must be importable (picklable) for process and dask workers.
    setup_args : tuple
        Its arguments (picklable).
    task : callable
        Module-level callable (or picklable object) computing one chunk.
    chunks : sequence of Chunk
        Submitted in this order.
    workers : int
        Worker processes (``process``, local ``dask``); ignored by ``serial`` and by a
        ``dask`` cluster given by address.
    executor : {"serial", "process", "dask"}, optional
        Default: ``serial`` when ``workers <= 1`` or there is one chunk, else
        ``process``.
    scheduler : str, optional
        Address of an existing dask scheduler (``tcp://host:8786``); only with
        ``executor="dask"``. Without it a local cluster is started and closed.
    in_flight : int, optional
        Chunks submitted but not yet yielded (default ``2 × workers``, ``4 × workers``
        for dask; at least 2).

    Yields
    ------
    (int, object)
        Chunk index and result, in completion order.
    """
    kind = resolve_executor(executor, workers, len(chunks))
    if scheduler is not None and kind != "dask":
        raise ValueError("a scheduler address needs executor='dask'")
    # dask has a scheduler round trip per task: keep more in flight to hide it
    per_worker = 4 if kind == "dask" else 2
    window = max(2, in_flight if in_flight is not None else per_worker * max(1, workers))
    if kind == "serial":
        yield from _serial(setup, setup_args, task, chunks)
    elif kind == "process":
        yield from _process(setup, setup_args, task, chunks, workers, window)
    else:
        yield from _dask(setup, setup_args, task, chunks, workers, scheduler, window)


def _serial(
    setup: Callable[..., Any], setup_args: tuple, task: Callable[..., Any],
    chunks: Sequence[Chunk],
) -> Iterator[tuple[int, Any]]:
    context = setup(*setup_args)
    for chunk in chunks:
        yield chunk.index, task(context, chunk)


#: How often a process pool is restarted after a worker died before the run gives up.
MAX_POOL_RESTARTS = 2


class WorkerDied(RuntimeError):
    """Worker processes kept dying; the chunks finished so far were kept."""


class SchedulerUnreachable(ConnectionError):
    """No dask scheduler answers at the address given."""


#: Seconds to wait for a dask scheduler given by address.
SCHEDULER_TIMEOUT = 10.0


def _connect(client_class: Any, address: str) -> Any:
    try:
        return client_class(address, timeout=SCHEDULER_TIMEOUT)
    except (OSError, TimeoutError, ValueError, TypeError) as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise SchedulerUnreachable(
            _("no dask scheduler answers at {address!r} within {seconds:g} s ({reason})").format(
                address=address, seconds=SCHEDULER_TIMEOUT, reason=reason[:160])
        ) from None


def _process(
    setup: Callable[..., Any], setup_args: tuple, task: Callable[..., Any],
    chunks: Sequence[Chunk], workers: int, window: int,
) -> Iterator[tuple[int, Any]]:
    """The process pool, restarted when a worker dies (killed, out of memory...).

    A chunk's numbers depend only on the chunk, so the chunks that were lost with the
    dead worker are simply computed again: the run ends with the same results as if
    nothing had happened. After :data:`MAX_POOL_RESTARTS` restarts it gives up with
    :class:`WorkerDied`.
    """
    left = {c.index: c for c in chunks}
    restarts = 0
    while left:
        try:
            for index, result in _process_once(
                setup, setup_args, task, [left[k] for k in sorted(left)], workers, window
            ):
                del left[index]
                yield index, result
        except BrokenProcessPool:
            restarts += 1
            if restarts > MAX_POOL_RESTARTS:
                raise WorkerDied(
                    _("worker processes died {restarts} times ({left} of {chunks} chunks "
                      "unfinished); is the machine short of memory?").format(
                        restarts=restarts, left=len(left), chunks=len(chunks))
                ) from None
            _log.warning(
                "a worker process died; restarting the pool for the %d unfinished chunks",
                len(left),
            )


def _process_once(
    setup: Callable[..., Any], setup_args: tuple, task: Callable[..., Any],
    chunks: Sequence[Chunk], workers: int, window: int,
) -> Iterator[tuple[int, Any]]:
    ctx = process_context()
    # the workers' parent: this process, or the fork server that starts them
    parent = os.getpid() if ctx.get_start_method() != "forkserver" else None
    pool = ProcessPoolExecutor(
        max_workers=local_workers(workers, len(chunks)),
        mp_context=ctx,
        initializer=_init_worker if parent is not None else _init_forkserver_worker,
        initargs=(setup, setup_args, parent) if parent is not None else (setup, setup_args),
    )
    todo = iter(chunks)
    pending: set[Future] = set()
    try:
        for c in todo:
            pending.add(pool.submit(_run_in_worker, task, c))
            if len(pending) >= window:
                break
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                nxt = next(todo, None)
                if nxt is not None:
                    pending.add(pool.submit(_run_in_worker, task, nxt))
                yield fut.result()
    finally:
        for fut in pending:
            fut.cancel()
        pool.shutdown(wait=True, cancel_futures=True)


def _dask(
    setup: Callable[..., Any], setup_args: tuple, task: Callable[..., Any],
    chunks: Sequence[Chunk], workers: int, scheduler: str | None, window: int,
) -> Iterator[tuple[int, Any]]:
    try:
        import dask
        from distributed import Client, LocalCluster, as_completed
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "the dask executor needs dask.distributed: pip install 'lgsim[dask]'"
        ) from exc
    cluster = None
    if scheduler is None:
        with dask.config.set(DASK_WORKER_ENVIRON):
            cluster = LocalCluster(
                n_workers=local_workers(workers, len(chunks)), threads_per_worker=1,
                processes=True, dashboard_address=None,
            )
        client = Client(cluster)
    else:
        client = _connect(Client, scheduler)
    todo = iter(chunks)
    futures = None
    try:
        context = client.submit(setup, *setup_args, pure=False)

        def submit(c: Chunk) -> Any:
            return client.submit(_run_with_context, task, context, c, pure=False)

        first = [submit(c) for c in itertools.islice(todo, window)]
        futures = as_completed(first)
        for fut in futures:
            result = fut.result()
            fut.release()
            nxt = next(todo, None)
            if nxt is not None:
                futures.add(submit(nxt))
            yield result
    finally:
        if futures is not None:
            for fut in list(futures.futures):
                fut.cancel()
        client.close()
        if cluster is not None:
            cluster.close()
