"""Progress on the terminal, for the ``init`` command's bytes and the benchmark's cases.

:func:`progress` gives a :class:`Progress`: a tqdm bar when tqdm is installed, a one-line text bar
when it is not, and one that shows nothing when the run is quiet or the stream is not a terminal
(so a log file or a pipe never gets a bar's carriage returns).
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from typing import Any

__all__ = ["Progress", "progress", "size_text"]


def size_text(n: float) -> str:
    """A byte count for people: ``512 B``, ``1.5 KiB``, ``64.0 MiB``..."""
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    raise AssertionError  # pragma: no cover


class Progress:
    """The interface of every progress display, and the one that shows nothing."""

    def update(self, n: int = 1) -> None:
        """``n`` more units are done."""

    def note(self, text: str) -> None:
        """Show ``text`` (what is being done now) next to the bar."""

    def close(self) -> None:
        """Draw the final state and end the line."""

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def progress(total: int, label: str, *, unit: str = "B", quiet: bool = False, stream: Any = None) -> Progress:
    """A display of ``total`` units of ``unit`` (``"B"``: bytes, shown in KiB, MiB...) on
    ``stream`` (default stderr), labelled ``label``."""
    stream = sys.stderr if stream is None else stream
    if quiet or not _is_terminal(stream):
        return Progress()
    tqdm = _load_tqdm()
    if tqdm is not None:
        return _TqdmBar(tqdm, total, label, unit, stream)
    return _TextBar(total, label, unit, stream)


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def _columns(stream: Any) -> int:
    try:
        return os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, ValueError, OSError):
        return shutil.get_terminal_size().columns


def _load_tqdm() -> Any:
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm


class _TextBar(Progress):
    """A one-line bar redrawn in place, for when tqdm is not installed."""

    WIDTH = 30

    def __init__(self, total: int, label: str, unit: str, stream: Any) -> None:
        self.total, self.label, self.unit, self.stream = total, label, unit, stream
        self.done, self.text = 0, ""
        self.start = self.last = time.monotonic()
        self._draw()

    def _amounts(self, rate: float) -> str:
        if self.unit != "B":
            return f"{self.done}/{self.total} {self.unit}"
        speed = f" {size_text(rate)}/s" if rate > 0 else ""
        return f"{size_text(self.done)}/{size_text(self.total)}{speed}"

    def _draw(self) -> None:
        frac = self.done / self.total if self.total else 1.0
        filled = int(frac * self.WIDTH)
        elapsed = time.monotonic() - self.start
        rate = self.done / elapsed if elapsed > 0 else 0.0
        eta = f" ETA {max(0.0, (self.total - self.done) / rate):.0f}s" if rate > 0 and self.done < self.total else ""
        note = f"  {self.text}" if self.text else ""
        line = (f"{self.label}: [{'#' * filled}{'.' * (self.WIDTH - filled)}] {frac * 100:3.0f}% "
                f"{self._amounts(rate)}{eta}{note}")
        width = _columns(self.stream) - 1  # a line that wraps could not be redrawn in place
        self.stream.write("\r" + line[:width] + "\033[K")
        self.stream.flush()

    def update(self, n: int = 1) -> None:
        self.done += n
        now = time.monotonic()
        if now - self.last >= 0.1 or self.done >= self.total:
            self.last = now
            self._draw()

    def note(self, text: str) -> None:
        self.text = text
        self._draw()

    def close(self) -> None:
        self._draw()
        self.stream.write("\n")
        self.stream.flush()


class _TqdmBar(Progress):
    def __init__(self, tqdm: Any, total: int, label: str, unit: str, stream: Any) -> None:
        self.bar = tqdm(total=total, desc=label, unit=unit, unit_scale=unit == "B", unit_divisor=1024, file=stream,
                        dynamic_ncols=True, leave=True)

    def update(self, n: int = 1) -> None:
        self.bar.update(n)

    def note(self, text: str) -> None:
        self.bar.set_postfix_str(text)

    def close(self) -> None:
        self.bar.close()
