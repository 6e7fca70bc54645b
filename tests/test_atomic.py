import os

import pytest

from formcheck.atomic import write_bytes_atomic, write_text_atomic


def test_writes_text_and_creates_the_folder(tmp_path):
    path = write_text_atomic(tmp_path / "a" / "b.txt", "héllo\n")
    assert path.read_text(encoding="utf-8") == "héllo\n"
    assert oct(path.stat().st_mode & 0o777) == oct(0o644)
    assert os.listdir(path.parent) == ["b.txt"]


def test_replaces_an_existing_file(tmp_path):
    path = tmp_path / "x.bin"
    path.write_bytes(b"old")
    write_bytes_atomic(path, b"new")
    assert path.read_bytes() == b"new"


def test_a_failed_write_keeps_the_old_file_and_leaves_no_part(tmp_path):
    path = tmp_path / "x.txt"
    path.write_text("old")
    with pytest.raises(TypeError):
        write_bytes_atomic(path, "not bytes")  # type: ignore[arg-type]
    assert path.read_text() == "old"
    assert os.listdir(tmp_path) == ["x.txt"]
