"""glibc malloc settings (core/malloc.py, issue #19): the server limits malloc to two arenas before its threads start,
so threads that allocate share them instead of each keeping an arena, and its high-water mark, of its own; the audit
writer gives free pages in the middle of the heap back to the system after a burst."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

_COUNT_ARENAS = """
import ctypes, os, re, sys, tempfile, threading
if sys.argv[1] == "shared":
    from rootplane.core.malloc import share_arenas
    share_arenas()
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


_RELEASED_MIB = """
import sys
from rootplane.core.malloc import release_free_memory
def rss():
    return next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmRSS:")) / 1024
blocks = [bytearray(8000) for _ in range(4000)]  # 32 MB from malloc's heap (each past pymalloc's 512 bytes)
kept = blocks[::32]  # one in 32 stays: the free memory between them is in the middle of the heap
del blocks
before = rss()
release_free_memory()
print(before - rss())
"""


def _run(script: str, *args: str) -> str:
    env = {name: value for name, value in os.environ.items() if name not in ("MALLOC_ARENA_MAX", "GLIBC_TUNABLES")}
    return subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, check=True,
                          env=env).stdout


def _arenas(mode: str) -> int:
    """malloc arenas in a fresh process where six threads allocated (``mode`` "shared": after the server's limit)."""
    return int(_run(_COUNT_ARENAS, mode))


@pytest.mark.skipif(not _glibc(), reason="glibc only")
def test_threads_share_two_malloc_arenas():
    assert _arenas("per-thread") > 2  # what glibc does by default, so the test can tell
    assert _arenas("shared") == 2


@pytest.mark.skipif(not _glibc(), reason="glibc only")
def test_free_memory_in_the_middle_of_the_heap_goes_back_to_the_system():
    assert float(_run(_RELEASED_MIB)) > 16
