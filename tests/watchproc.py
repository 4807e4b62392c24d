"""Driving `newsmon watch` as a subprocess, as a user or a deployment would (tests and benchmarks)."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path


def drop_file(source: Path, inbox: Path, name: str, text: str | None = None) -> float:
    """Copy to a dot-file, then rename to `name`, as the contract's writers do; returns the rename time."""
    temporary = inbox / f".{name}.part"
    if text is None:
        shutil.copyfile(source, temporary)
    else:
        temporary.write_text(text, encoding="utf-8")
    os.rename(temporary, inbox / name)
    return time.time()


class WatchProcess:
    """`newsmon watch ARGS` with its stdout and stderr collected by reader threads."""

    def __init__(self, *args: str):
        self.args = args
        self.proc = subprocess.Popen([sys.executable, "-m", "newsmon.pipelines.cli", "watch", *args],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        for stream, lines in ((self.proc.stdout, self.stdout), (self.proc.stderr, self.stderr)):
            threading.Thread(target=self._collect, args=(stream, lines), daemon=True).start()

    @staticmethod
    def _collect(stream, lines: list[str]) -> None:
        for line in stream:
            lines.append(line.rstrip("\n"))

    def log(self) -> str:
        return "\n".join(["--- stdout", *self.stdout, "--- stderr", *self.stderr[-60:]])

    def wait_ready(self, timeout_s: float = 180) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if any("ready" in line for line in self.stdout):
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        self.kill()
        raise AssertionError(f"newsmon watch never printed ready:\n{self.log()}")

    def stop(self, sig: int = signal.SIGTERM, timeout_s: float = 90) -> int:
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout_s)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"newsmon watch did not stop within {timeout_s} s:\n{self.log()}") from None

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(30)


def read_records(path: Path) -> list[dict]:
    """The complete lines of a JSONL file being appended to (a missing file has none)."""
    if not path.exists():
        return []
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.endswith("\n")]


def wait_for(check, timeout_s: float, what: str, watch: WatchProcess | None = None, poll_s: float = 0.05):
    """Poll `check()` until it returns something truthy; fail with the watch log otherwise."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(poll_s)
    raise AssertionError(f"timed out after {timeout_s} s waiting for {what}" + (f":\n{watch.log()}" if watch else ""))
