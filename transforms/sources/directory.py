"""The watched directory: files that appear under their final name are new arrivals.

Writers copy into a dot-file and rename it, so dot-files (and dot-directories, such as the state
directory) are unfinished or private and never read. A file counts as new when its
(path, size, mtime) has not been seen: replacing a file under the same name is a new arrival.
Polling a listing is what every inotify-free platform and network file system supports; at the
default 0.5 s interval it costs one `scandir` per directory level.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any, Iterator, Tuple

import apache_beam as beam
from apache_beam.coders import PickleCoder
from apache_beam.metrics import Metrics
from apache_beam.transforms.userstate import ReadModifyWriteStateSpec

from newsmon.transforms.settings import Settings
from newsmon.transforms.sources import control, ledger
from newsmon.transforms.sources.reading import read_arrived_file


@dataclass(frozen=True)
class FileSeen:
    path: str
    size: int
    mtime_ns: int

    @property
    def key(self) -> str:
        return ledger.file_key(self.path, self.size, self.mtime_ns)


def scan_directory(root: str) -> list[FileSeen]:
    """Finished files under `root`, recursively, in path order; dot-entries are skipped."""
    found = []
    pending = [os.path.abspath(root)]
    while pending:
        directory = pending.pop()
        try:
            entries = list(os.scandir(directory))
        except (FileNotFoundError, NotADirectoryError, PermissionError):
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    pending.append(entry.path)
                elif entry.is_file():
                    stat = entry.stat()
                    found.append(FileSeen(entry.path, stat.st_size, stat.st_mtime_ns))
            except FileNotFoundError:
                continue
    return sorted(found, key=lambda seen: seen.path)


def new_files(listing: list[FileSeen], known: set[str]) -> list[FileSeen]:
    return [seen for seen in listing if seen.key not in known]


class DetectNewFiles(beam.DoFn):
    """(directory, tick) -> arrivals of files not seen before, one poll per tick.

    Keyed state holds the keys of the previous listing; on a worker's first poll it starts from
    the ledger, so files finished by an earlier run are skipped and all others are taken.
    """

    LISTED = ReadModifyWriteStateSpec("listed", PickleCoder())

    def __init__(self, state_dir: str):
        self._state_dir = state_dir
        self._processed: set[str] = set()
        self._arrived = Metrics.counter("newsmon", "arrived")

    def setup(self) -> None:
        self._processed = ledger.load_processed(self._state_dir)

    def process(self, keyed_tick, listed=beam.DoFn.StateParam(LISTED)) -> Iterator[dict]:
        directory, _ = keyed_tick
        if control.is_draining(self._state_dir):
            return
        known = listed.read()
        if known is None:
            known = self._processed
        listing = scan_directory(directory)
        listed.write({seen.key for seen in listing})
        control.beat(self._state_dir)
        now = time.time()
        for seen in new_files(listing, known):
            self._arrived.inc()
            yield {"key": seen.key, "path": seen.path, "arrived_at": now}


class ReadArrivedFiles(beam.DoFn):
    """File arrival -> its raw items or dead-letters, each tagged with the arrival."""

    def __init__(self, settings: Settings):
        self._settings = settings

    def process(self, found: dict) -> Iterator[dict]:
        yield from read_arrived_file(found["path"], found["key"], found["arrived_at"], self._settings)


class WatchDirectory(beam.PTransform):
    """Ticks -> raw items of the files arriving under `directory`."""

    def __init__(self, directory: str, state_dir: str, settings: Settings):
        super().__init__()
        self._directory = os.path.abspath(directory)
        self._state_dir = state_dir
        self._settings = settings

    def expand(self, ticks):
        directory = self._directory
        return (
            ticks
            | "KeyByDirectory" >> beam.Map(lambda tick: (directory, tick)).with_output_types(Tuple[str, Any])
            | "DetectNewFiles" >> beam.ParDo(DetectNewFiles(self._state_dir))
            | "SpreadReads" >> beam.Reshuffle()
            | "ReadFiles" >> beam.ParDo(ReadArrivedFiles(self._settings))
        )
