"""Atomic writes and the lock-file protocol, identical to the TypeScript SDK's
(packages/sdk/src/lib/atomic-write.ts and file-lock.ts) so that Python and Node processes sharing a
token file or config file exclude each other."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
import time
from collections.abc import Iterator

from .errors import TokenStoreError

#: Owner read/write only: token files and the config file hold secrets.
SECRET_FILE_MODE = 0o600


def write_file_atomic(file: str, data: str, mode: int = SECRET_FILE_MODE) -> None:
    """Replaces ``file`` so that a reader (or a crash) sees the old content or the new, never a torn
    file: temporary file in the same directory, fsync, rename, directory fsync; mode 0600 whatever
    the umask. A symlink is followed, so the link stays a link."""
    target = os.path.realpath(file)
    directory = os.path.dirname(target)
    tmp = os.path.join(directory, f".{os.path.basename(target)}.{os.getpid()}.{secrets.token_hex(6)}.tmp")
    fd = -1
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fd = -1
            fh.write(data)
            fh.flush()
            os.fchmod(fh.fileno(), mode)
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        if fd >= 0:
            os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _sync_directory(directory)


def _sync_directory(directory: str) -> None:
    # Makes the rename itself durable; not every platform can open a directory.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_json_file(file: str, doc: object) -> None:
    """JSON as the TypeScript SDK writes it: two-space indent and a final newline."""
    write_file_atomic(file, json.dumps(doc, indent=2, ensure_ascii=False) + "\n")


@contextlib.contextmanager
def file_lock(file: str, timeout: float = 60.0, stale: float = 120.0) -> Iterator[None]:
    """Holds ``{file}.lock``, created exclusively (O_EXCL) with ``{"pid", "host", "at"}``, so two
    processes sharing a token file never spend the same refresh token. A lock left by a dead process
    (same host, pid gone) or older than ``stale`` seconds is broken."""
    lock = f"{file}.lock"
    deadline = time.monotonic() + timeout
    delay = 0.01
    while True:
        try:
            fd = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        except OSError as err:
            raise TokenStoreError(f"cannot create the lock file {lock}: {err.strerror or err}") from err
        else:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "at": int(time.time() * 1000)}, separators=(",", ":")))
            break
        if _is_stale(lock, stale):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(lock)
            continue
        if time.monotonic() > deadline:
            raise TokenStoreError(f"timed out waiting for the lock {lock}; if no latchkey process is running, delete it")
        time.sleep(delay)
        delay = min(delay * 2, 0.2)
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(lock)


def _is_stale(lock: str, stale: float) -> bool:
    try:
        if time.time() - os.stat(lock).st_mtime > stale:
            return True
        with open(lock, encoding="utf-8") as fh:
            holder = json.load(fh)
        pid = holder.get("pid") if isinstance(holder, dict) else None
        if holder.get("host") != socket.gethostname() or not isinstance(pid, int) or isinstance(pid, bool) or pid == os.getpid():
            return False
        try:
            os.kill(pid, 0)
            return False
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
    except (OSError, ValueError, AttributeError):
        # Vanished (released) or half-written by its creator: not stale, look again shortly.
        return False
