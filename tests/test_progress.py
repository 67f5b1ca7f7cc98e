"""The one progress display of the ``init`` command and the benchmark: tqdm or a text bar on a
terminal, nothing when quiet or when stderr is a pipe or a file."""

from __future__ import annotations

import io
import re
import sys

import pytest

from weightinit import _bench, _progress
from weightinit._progress import progress, size_text


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def drawn(stream: io.StringIO) -> list[str]:
    """Each state of the bar, as it was drawn in place."""
    return [re.sub(r"\x1b\[K$", "", part.rstrip("\n")) for part in stream.getvalue().split("\r") if part]


@pytest.fixture
def text_bar(monkeypatch):
    monkeypatch.setattr(_progress, "_load_tqdm", lambda: None)


def test_nothing_is_shown_when_quiet_or_not_on_a_terminal():
    for stream, quiet in ((FakeTerminal(), True), (io.StringIO(), False), (io.StringIO(), True)):
        with progress(10, "w.npy", quiet=quiet, stream=stream) as bar:
            bar.note("working")
            bar.update(10)
        assert stream.getvalue() == ""


def test_the_text_bar_counts_bytes(text_bar):
    term = FakeTerminal()
    with progress(3 * 2**20, "w.npy", stream=term) as bar:
        for _ in range(3):
            bar.update(2**20)
    states = drawn(term)
    assert states[0].startswith("w.npy: [" + "." * 30 + "]   0% 0 B/3.0 MiB")
    assert states[-1].startswith("w.npy: [" + "#" * 30 + "] 100% 3.0 MiB/3.0 MiB")
    assert term.getvalue().endswith("\n")


def test_the_text_bar_counts_cases_and_shows_the_current_one(text_bar):
    term = FakeTerminal()
    with progress(4, "bench", unit="cases", stream=term) as bar:
        for k in range(4):
            bar.note(f"case {k}")
            bar.update(1)
    states = drawn(term)
    assert any(s.startswith("bench: [" + "#" * 7) and "1/4 cases" in s and s.endswith("case 1") for s in states), states
    assert states[-1].startswith("bench: [" + "#" * 30 + "] 100% 4/4 cases") and states[-1].endswith("case 3")


def test_the_text_bar_is_cut_to_the_terminal_width(text_bar, monkeypatch):
    monkeypatch.setenv("COLUMNS", "40")  # a line that wrapped could not be redrawn in place
    term = FakeTerminal()
    with progress(2, "bench", unit="cases", stream=term) as bar:
        bar.note("a case with a long name " * 4)
        bar.update(2)
    assert all(len(s) <= 39 for s in drawn(term))


@pytest.mark.parametrize("with_tqdm", [False, True])
def test_the_benchmark_shows_one_bar_over_its_cases_on_a_terminal(tmp_path, monkeypatch, capsys, with_tqdm):
    if with_tqdm:
        pytest.importorskip("tqdm")
    else:
        monkeypatch.setattr(_progress, "_load_tqdm", lambda: None)
    monkeypatch.setenv("COLUMNS", "200")
    term = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", term)
    code = _bench.main(["--sizes", "1000", "--reps", "1", "--no-plot", "--dtypes", "float32", "--threads", "1",
                        "--skip", "torch", "jax", "mkl_random", "--json", str(tmp_path / "b.json")])
    assert code == 0
    shown = term.getvalue()
    assert "bench" in shown and "100%" in shown and "ceiling zeros out= float32 1,000 threads=1" in shown
    assert "weightinit he_normal" in capsys.readouterr().out  # the table, on stdout as before


def test_size_text():
    assert [size_text(n) for n in (0, 1023, 1024, 3 * 2**20, 2**40 * 5000)] == [
        "0 B", "1023 B", "1.0 KiB", "3.0 MiB", "5000.0 TiB"]
