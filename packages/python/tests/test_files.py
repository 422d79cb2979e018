"""The atomic write and the lock-file protocol shared with the TypeScript SDK."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

import latchkey
from latchkey._files import file_lock, write_file_atomic


def test_an_atomic_write_is_0600_whatever_the_umask_and_keeps_a_symlink_a_link(tmp_path: Path) -> None:
    real = tmp_path / "real.tok"
    real.write_text("old")
    os.chmod(real, 0o644)
    link = tmp_path / "link.tok"
    link.symlink_to(real)
    old_umask = os.umask(0)
    try:
        write_file_atomic(str(link), '{"new": true}\n')
    finally:
        os.umask(old_umask)
    assert link.is_symlink() and real.read_text() == '{"new": true}\n'
    assert stat.S_IMODE(os.stat(real).st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.tok", "real.tok"]


def test_the_lock_file_holds_pid_host_and_time_and_is_removed_after(tmp_path: Path) -> None:
    file = tmp_path / "app.tok"
    with file_lock(str(file)):
        holder = json.loads((tmp_path / "app.tok.lock").read_text())
        assert holder["pid"] == os.getpid() and holder["host"] == socket.gethostname() and isinstance(holder["at"], int)
        assert stat.S_IMODE(os.stat(tmp_path / "app.tok.lock").st_mode) == 0o600
    assert not (tmp_path / "app.tok.lock").exists()


def test_a_lock_left_by_a_dead_process_is_broken(tmp_path: Path) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    lock = tmp_path / "app.tok.lock"
    lock.write_text(json.dumps({"pid": dead.pid, "host": socket.gethostname(), "at": int(time.time() * 1000)}))
    with file_lock(str(tmp_path / "app.tok"), timeout=5):
        assert json.loads(lock.read_text())["pid"] == os.getpid()


def test_a_lock_held_by_a_live_process_is_waited_for_then_reported(tmp_path: Path) -> None:
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        lock = tmp_path / "app.tok.lock"
        lock.write_text(json.dumps({"pid": live.pid, "host": socket.gethostname(), "at": int(time.time() * 1000)}))
        with pytest.raises(latchkey.TokenStoreError) as info:
            with file_lock(str(tmp_path / "app.tok"), timeout=0.3):
                pass
        assert info.value.code == "ERR_LATCHKEY_TOKEN_STORE" and "timed out waiting for the lock" in str(info.value)
        assert lock.exists(), "another process' lock is never removed"
    finally:
        live.kill()
        live.wait()
