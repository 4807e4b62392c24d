"""Turning the command line's INPUT arguments into a sorted list of input references.

An input reference is a local file path or an http(s) URL. Directories are walked
recursively and globs expanded here, before the pipeline starts, so that a typo fails the
run at once with a one-line error instead of producing an empty run.
"""
from __future__ import annotations

import glob
import os
from pathlib import Path
from urllib.parse import urlparse


class InputError(ValueError):
    """An INPUT argument that names nothing usable; the message says what to fix."""


def is_url(ref: str) -> bool:
    return urlparse(ref).scheme in ("http", "https")


def _is_hidden(path: Path) -> bool:
    """Dot-files are files still being written (writers copy to a dot-file, then rename)."""
    return path.name.startswith(".")


def _walk(directory: Path) -> list[str]:
    found = []
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found.extend(str(Path(root) / name) for name in sorted(files) if not name.startswith("."))
    return found


def expand_inputs(args: list[str]) -> list[str]:
    """Files, directories (recursive), globs and feed URLs, in a stable order without repeats."""
    if not args:
        raise InputError("no INPUT given; pass files, directories, globs or feed URLs")
    refs: list[str] = []
    for arg in args:
        if is_url(arg):
            refs.append(arg)
            continue
        if "://" in arg:
            raise InputError(f"{arg}: only http:// and https:// URLs can be read; give a URL or a local path")
        path = Path(arg)
        if path.is_dir():
            refs.extend(_walk(path))
        elif path.is_file():
            refs.append(str(path))
        elif glob.has_magic(arg):
            matches = sorted(glob.glob(arg, recursive=True))
            if not matches:
                raise InputError(f"{arg}: the pattern matches no file; check the pattern or quote it")
            for match in matches:
                match_path = Path(match)
                if match_path.is_dir():
                    refs.extend(_walk(match_path))
                elif match_path.is_file() and not _is_hidden(match_path):
                    refs.append(match)
        else:
            raise InputError(f"{arg}: no such file or directory; check the path")
    seen: set[str] = set()
    unique = []
    for ref in refs:
        key = ref if is_url(ref) else str(Path(ref).resolve())
        if key not in seen:
            seen.add(key)
            unique.append(ref)
    return unique


def origin_of(ref: str) -> str:
    """What identifies an input across runs: the URL, or the file's absolute path."""
    return ref if is_url(ref) else str(Path(ref).resolve())
