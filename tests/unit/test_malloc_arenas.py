"""The server limits glibc's malloc to two arenas before its threads start (server._share_malloc_arenas, issue #19):
threads that allocate then share them instead of each keeping an arena, and its high-water mark, of its own."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

_COUNT_ARENAS = """
import ctypes, os, re, sys, tempfile, threading
if sys.argv[1] == "shared":
    from rootplane.server import _share_malloc_arenas
    _share_malloc_arenas()
def allocate(done, go):
    kept = [bytearray(200_000) for _ in range(4)]  # malloc'd in this thread's arena
    done.set()
    go.wait()
go = threading.Event()
threads = []
for _ in range(6):
    done = threading.Event()
    thread = threading.Thread(target=allocate, args=(done, go))
    thread.start()
    done.wait()  # one after the other, all alive at once: glibc gives each its own arena when it may
    threads.append(thread)
libc = ctypes.CDLL(None)
libc.fopen.restype = ctypes.c_void_p
with tempfile.NamedTemporaryFile() as report:
    stream = ctypes.c_void_p(libc.fopen(report.name.encode(), b"w"))
    libc.malloc_info(0, stream)
    libc.fclose(stream)
    print(len(re.findall(r"<heap nr=", open(report.name).read())))
go.set()
"""


def _glibc() -> bool:
    try:
        return (os.confstr("CS_GNU_LIBC_VERSION") or "").startswith("glibc")
    except (ValueError, OSError, AttributeError):
        return False


def _arenas(mode: str) -> int:
    """malloc arenas in a fresh process where six threads allocated (``mode`` "shared": after the server's limit)."""
    env = {name: value for name, value in os.environ.items() if name not in ("MALLOC_ARENA_MAX", "GLIBC_TUNABLES")}
    result = subprocess.run([sys.executable, "-c", _COUNT_ARENAS, mode], capture_output=True, text=True, check=True,
                            env=env)
    return int(result.stdout)


@pytest.mark.skipif(not _glibc(), reason="glibc only")
def test_threads_share_two_malloc_arenas():
    assert _arenas("per-thread") > 2  # what glibc does by default, so the test can tell
    assert _arenas("shared") == 2
