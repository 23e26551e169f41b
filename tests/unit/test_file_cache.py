"""core/file_cache.py: documents survive a round trip; a damaged file, or one another user could have written, is
derived again instead of being used (the DDL cache's statements run on a new store)."""

import os

from rootplane.core.file_cache import JsonFileCache


def derive(name: str) -> dict:
    return {"derived": name}


def test_a_document_is_derived_once_then_read(tmp_path):
    cache = JsonFileCache(tmp_path / "cache")
    assert cache.load("doc", derive) == {"derived": "doc"}
    assert cache.load("doc", lambda name: {"derived again": name}) == {"derived": "doc"}
    assert oct((tmp_path / "cache").stat().st_mode & 0o777) == oct(0o700)
    assert oct((tmp_path / "cache" / "doc.json").stat().st_mode & 0o777) == oct(0o600)


def test_a_damaged_document_is_derived_again(tmp_path):
    cache = JsonFileCache(tmp_path)
    cache.write("doc", {"a": 1})
    path = tmp_path / "doc.json"
    path.write_bytes(path.read_bytes().replace(b'"a":1', b'"a":2'))
    assert cache.read("doc") is None


def test_a_document_others_may_write_is_not_read(tmp_path):
    cache = JsonFileCache(tmp_path / "cache")
    cache.write("doc", ["CREATE TABLE t (x INTEGER)"])
    path = tmp_path / "cache" / "doc.json"
    os.chmod(path, 0o622)
    assert cache.read("doc") is None
    os.chmod(path, 0o600)
    assert cache.read("doc") == ["CREATE TABLE t (x INTEGER)"]
    os.chmod(tmp_path / "cache", 0o777)  # a folder anyone may write: any file in it could have been swapped
    assert cache.read("doc") is None


def test_no_directory_means_no_cache(tmp_path):
    cache = JsonFileCache(None)
    cache.write("doc", {"a": 1})
    assert cache.read("doc") is None and cache.load("doc", derive) == {"derived": "doc"}


def test_a_document_another_user_owns_is_not_read(tmp_path):
    cache = JsonFileCache(tmp_path)
    cache.write("doc", {"a": 1})
    if os.geteuid() != 0:
        import pytest

        pytest.skip("only root can give a file to another user")
    os.chown(tmp_path / "doc.json", 65534, 65534)
    assert cache.read("doc") is None
