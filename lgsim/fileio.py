"""Files, safely: atomic writes, free space, a lock per directory, capped reads.

* :func:`atomic_path` and friends write a temporary file in the same directory, fsync it
  and rename it: a reader never sees a half-written file, either the old file or the
  complete new one, and a failed write leaves no temporary file. A failure is raised as
  :class:`WriteError` (an ``OSError`` naming the file being written).
* :func:`ensure_free_space` refuses a big write before it starts when the disk cannot
  hold it.
* :class:`DirectoryLock` is an operating-system lock on a directory (``flock`` on a
  lock file, ``msvcrt.locking`` on Windows), released by the system if its holder dies.
* :func:`read_regular` reads a regular file of bounded size, and refuses FIFOs, devices
  and directories instead of blocking or reading without end.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from .i18n import N_, _

#: Name of the lock file :class:`DirectoryLock` keeps in a directory.
LOCK_FILE = ".lgsim.lock"
#: Free space kept beyond an estimate (bytes): file-system metadata, estimate error.
SPACE_MARGIN = 16 * 1024 * 1024


def size(nbytes: float) -> str:
    """A size in bytes for messages: ``1.2 GB``, ``350 MB``, ``12 kB`` (powers of 1000)."""
    value = float(nbytes)
    for unit in ("B", "kB", "MB", "GB"):
        if abs(value) < 1000:
            return f"{value:.0f} {unit}" if unit == "B" or value >= 100 else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} TB"


class WriteError(OSError):
    """Writing a file failed (disk full, permission denied...); nothing was left half-written.

    ``filename`` is the file that was being written (not its temporary name).
    """


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _write_error(exc: BaseException, path: Path) -> WriteError:
    code = getattr(exc, "errno", None) or errno.EIO
    text = getattr(exc, "strerror", None) or str(exc).split("\n", 1)[0] or type(exc).__name__
    if code == errno.ENOSPC or "No space left" in str(exc) or "errno = 28" in str(exc):
        code, text = errno.ENOSPC, "no space left on the device"
    return WriteError(code, text, str(path))


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success rename it onto ``path``.

    On error the temporary file is removed, ``path`` is left as it was, and an
    ``OSError`` (or an error of a file-format library, e.g. h5py's) is raised as
    :class:`WriteError`.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.close(fd)
    except OSError as exc:
        raise _write_error(exc, path) from None
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        with open(tmp_path, "rb") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp_path, 0o666 & ~_umask())  # mkstemp makes 0600; use the usual mode
        os.replace(tmp_path, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp_path.unlink()
        if isinstance(exc, WriteError):
            raise
        if isinstance(exc, OSError | RuntimeError):  # h5py reports failed writes both ways
            raise _write_error(exc, path) from None
        raise


def write_text(path: str | Path, text: str, *, encoding: str = "utf-8") -> None:
    """Write text atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding=encoding, newline="")


def write_bytes(path: str | Path, data: bytes) -> None:
    """Write bytes atomically."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def write_with(path: str | Path, writer: Callable[[Path], None]) -> None:
    """Call ``writer(tmp_path)`` and move the result onto ``path`` atomically."""
    with atomic_path(path) as tmp:
        writer(tmp)


# ---------------------------------------------------------------------- free space
def free_space(directory: str | Path) -> int | None:
    """Bytes free for this user on the file system of ``directory`` (None if unknown).

    ``directory`` need not exist yet: its nearest existing parent is asked.
    """
    here = Path(directory).absolute()
    for candidate in (here, *here.parents):
        try:
            if candidate.is_dir():
                return shutil.disk_usage(candidate).free
        except OSError:
            return None
    return None


def ensure_free_space(directory: str | Path, needed: int, what: str) -> None:
    """Raise :class:`WriteError` (``ENOSPC``) if ``directory`` lacks ``needed`` bytes.

    Parameters
    ----------
    directory : str or Path
        Where the files will go.
    needed : int
        Estimated bytes (a margin of :data:`SPACE_MARGIN` is added).
    what : str
        What will be written, for the message (``"results.nc and the tables"``).
    """
    free = free_space(directory)
    if free is None or free >= needed + SPACE_MARGIN:
        return
    raise WriteError(
        errno.ENOSPC,
        _("not enough free space for {what}: about {needed} needed, {free} free").format(
            what=what, needed=size(needed + SPACE_MARGIN), free=size(free)),
        str(directory),
    )


# ---------------------------------------------------------------------- locks
class DirectoryBusy(OSError):
    """Another process holds the lock of a directory."""


class DirectoryLock:
    """An exclusive operating-system lock on a directory, released if its holder dies.

    The lock is a ``flock`` (POSIX) or ``msvcrt.locking`` (Windows) on the file
    :data:`LOCK_FILE` inside the directory; the file stays (removing it would let two
    processes lock two different files) and holds the holder's process id.

    Parameters
    ----------
    directory : str or Path
        The directory (created if missing).
    """

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        self.path = self.directory / LOCK_FILE
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock now, or raise :class:`DirectoryBusy` naming the holder."""
        self.directory.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o666)
        try:
            _lock(fd)
        except OSError:
            holder = _read_small(fd)
            os.close(fd)
            who = (_("process {pid}").format(pid=holder) if holder.isdigit()
                   else _("another process"))
            raise DirectoryBusy(
                errno.EBUSY, _("in use by another lgsim run ({who})").format(who=who),
                str(self.directory)
            ) from None
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd

    def release(self) -> None:
        """Release the lock (closing the file releases it)."""
        if self._fd is not None:
            fd, self._fd = self._fd, None
            with contextlib.suppress(OSError):
                _unlock(fd)
            os.close(fd)

    def __enter__(self) -> DirectoryLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _read_small(fd: int) -> str:
    with contextlib.suppress(OSError):
        os.lseek(fd, 0, os.SEEK_SET)
        return os.read(fd, 32).decode("ascii", "replace").strip()
    return ""


if sys.platform == "win32":  # pragma: no cover - tested on Linux; must import on Windows
    import msvcrt

    def _lock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


# ---------------------------------------------------------------------- capped reads
class NotRegularFile(OSError):
    """The path names a FIFO, a device, a socket or a directory, not a regular file."""


class FileTooLarge(OSError):
    """A file is larger than the reader accepts."""


def file_kind(mode: int) -> str:
    """What a file of ``st_mode`` is, for messages: ``"a FIFO (named pipe)"``..."""
    for test, name in ((stat.S_ISDIR, N_("a directory")),
                       (stat.S_ISFIFO, N_("a FIFO (named pipe)")),
                       (stat.S_ISCHR, N_("a character device")),
                       (stat.S_ISBLK, N_("a block device")), (stat.S_ISSOCK, N_("a socket")),
                       (stat.S_ISREG, N_("a regular file"))):
        if test(mode):
            return _(name)
    return _("a special file")


def read_regular(path: str | Path, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes.

    The file is opened without blocking (a FIFO with no writer would block ``open``) and
    checked with ``fstat`` on the open descriptor, so nothing can swap it in between.

    Raises
    ------
    FileNotFoundError, PermissionError, OSError
        As ``open`` raises them.
    NotRegularFile
        A FIFO, device, socket or directory.
    FileTooLarge
        More than ``limit`` bytes.
    """
    mode = os.stat(path).st_mode  # a socket cannot even be opened: say what it is
    if not stat.S_ISREG(mode):
        raise NotRegularFile(errno.EINVAL, file_kind(mode), str(path))
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegularFile(errno.EINVAL, file_kind(mode), str(path))
        parts: list[bytes] = []
        total = 0
        while total <= limit:
            block = os.read(fd, min(1 << 20, limit + 1 - total))
            if not block:
                break
            parts.append(block)
            total += len(block)
        if total > limit:
            raise FileTooLarge(errno.EFBIG, _("larger than {size}").format(size=size(limit)),
                           str(path))
        return b"".join(parts)
    finally:
        os.close(fd)
