"""Does cleaning up after a submission remove any tree student code leaves, without a shell?"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from autograder.inside.procs import remove_tree


@pytest.fixture(autouse=True)
def no_shell(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError(f"remove_tree ran a command: {args}")

    monkeypatch.setattr(subprocess, "run", refuse)
    monkeypatch.setattr(subprocess, "Popen", refuse)


def test_is_a_tree_with_locked_folders_removed(tmp_path):
    tree = tmp_path / "tree"
    (tree / "locked" / "inner").mkdir(parents=True)
    (tree / "locked" / "inner" / "file").write_text("x")
    (tree / "link").symlink_to(tmp_path)
    (tree / "locked" / "inner").chmod(0o000)
    (tree / "locked").chmod(0o500)
    remove_tree(str(tree))
    assert not tree.exists() and tmp_path.exists()


def test_is_a_tree_deeper_than_the_recursion_limit_removed(tmp_path):
    tree = tmp_path / "tree"
    tree.mkdir()
    fd = os.open(tree, os.O_RDONLY)
    for _ in range(sys.getrecursionlimit() + 200):
        os.mkdir("d", dir_fd=fd)
        inner = os.open("d", os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = inner
    with open(os.open("file", os.O_WRONLY | os.O_CREAT, 0o600, dir_fd=fd), "w") as leaf:  # noqa: PTH123
        leaf.write("x")
    os.close(fd)
    with pytest.raises(RecursionError):  # what shutil.rmtree alone cannot do
        shutil.rmtree(tree)
    remove_tree(str(tree))
    assert not tree.exists()


def test_is_a_file_or_a_link_removed_alone(tmp_path):
    target = tmp_path / "keep"
    target.mkdir()
    (tmp_path / "link").symlink_to(target)
    remove_tree(str(tmp_path / "link"))
    assert target.is_dir() and not (tmp_path / "link").exists()
