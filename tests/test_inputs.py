"""INPUT arguments: files, directories, globs and URLs become a stable list of references."""
from __future__ import annotations

import pytest

from conftest import SEEDS
from newsmon.transforms.inputs import InputError, expand_inputs


def test_directory_is_walked_recursively_and_skips_dot_files(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "deep.txt").write_text("x")
    (tmp_path / "top.txt").write_text("x")
    (tmp_path / ".partial.txt").write_text("x")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "inside.txt").write_text("x")
    refs = expand_inputs([str(tmp_path)])
    assert [r.replace(str(tmp_path), "") for r in refs] == ["/top.txt", "/a/b/deep.txt"]


def test_glob_and_repeats_give_each_file_once():
    refs = expand_inputs([str(SEEDS / "00*.txt"), str(SEEDS), str(SEEDS / "000_3a8a7a0c4b7c721d.txt")])
    assert len(refs) == 5


def test_urls_pass_through_in_order():
    refs = expand_inputs(["https://example.org/feed.xml", str(SEEDS / "000_3a8a7a0c4b7c721d.txt")])
    assert refs[0] == "https://example.org/feed.xml"


@pytest.mark.parametrize("arg, message", [
    ("/no/such/path", "no such file or directory"),
    ("/no/such/*.txt", "matches no file"),
    ("ftp://example.org/feed", "only http:// and https://"),
])
def test_unusable_arguments_say_what_to_fix(arg, message):
    with pytest.raises(InputError, match=message):
        expand_inputs([arg])
