"""The benchmark (``python -m weightinit bench``, ``benchmarks/bench.py``) runs end to end in a
tiny mode, writes well-formed JSON and prints its tables, and survives failing or missing peers.

Nothing here looks at how fast anything is: timings are never asserted.
"""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import weightinit as wi
from weightinit import _bench
from weightinit._bench import cases as bench_cases
from weightinit._bench import cli as bench_cli
from weightinit._bench import generator as bench_generator
from weightinit.__main__ import main as cli_main

TINY = ["--sizes", "1000", "4096", "--reps", "1", "--quiet", "--no-plot"]
ROOT = Path(__file__).resolve().parents[1]

RESULT_KEYS = {
    "case", "library", "kind", "variant", "dtype", "n", "shape", "threads", "bytes", "ok", "error",
    "speedup_vs_numpy", "speedup_vs_numpy_philox", "fraction_of_ceiling",
    "additive_limit_mvalues_per_s", "fraction_of_limit",
}
TIMED_KEYS = {"seconds", "median_seconds", "reps", "inner", "mvalues_per_s", "gb_per_s"}


def _number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    """One tiny run shared by the structural checks: (exit code, stdout, report)."""
    path = tmp_path_factory.mktemp("bench") / "bench.json"
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        code = _bench.main(TINY + ["--json", str(path), "--markdown", "--threads", "1", "2"])
    return code, buf.getvalue(), json.loads(path.read_text())


def test_exit_code_and_table(tiny_run):
    code, out, _ = tiny_run
    assert code == 0
    for column in _bench.COLUMNS:
        assert column in out
    for case in ("numpy default_rng uniform", "numpy Philox normal", "weightinit glorot_uniform",
                 "weightinit he_normal", "weightinit truncated_normal", "weightinit he_normal out=", "ceiling zeros"):
        assert case in out
    for dtype in ("float32", "float64", "bfloat16"):
        assert dtype in out
    assert "1,000" in out and "2^12" in out


def test_markdown_table(tiny_run):
    _, out, report = tiny_run
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| case | threads |"))
    md = []  # the main table: the block of table lines from its header on
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        md.append(line)
    assert md[0].startswith("| case | threads |") and "float32 1,000" in md[0] and "bfloat16 2^12" in md[0]
    assert set(md[1]) <= set("|-: ")
    assert any(line.startswith("| weightinit he_normal |") for line in md)
    width = md[0].count("|")
    assert all(line.count("|") == width for line in md)


def test_json_structure(tiny_run):
    _, _, report = tiny_run
    assert {"schema", "machine", "settings", "peers", "results", "elapsed_seconds"} <= set(report)
    machine = report["machine"]
    for key in ("date", "cpu_model", "logical_cpus", "numpy", "torch", "weightinit_info", "python"):
        assert key in machine
    assert machine["weightinit_info"]["weightinit"] == wi.__version__
    assert set(report["peers"]) == {"torch", "jax", "mkl_random", "threadpoolctl"}
    settings = report["settings"]
    assert settings["sizes"] == [1000, 4096]
    assert settings["dtypes"] == ["float32", "float64", "bfloat16"]
    assert settings["threads"] == [1, 2]
    assert settings["fixed_reps"] == 1

    results = report["results"]
    assert results
    for r in results:
        assert RESULT_KEYS <= set(r), r
        assert r["n"] in (1000, 4096)
        assert math.prod(r["shape"]) == r["n"]
        if r["ok"]:
            assert TIMED_KEYS <= set(r)
            assert all(_number(r[k]) for k in TIMED_KEYS)
            assert r["reps"] == 1
        else:
            assert isinstance(r["error"], str)
    ours = [r for r in results if r["library"] in ("weightinit", "numpy", "ceiling")]
    assert all(r["ok"] for r in ours), [r["error"] for r in ours if not r["ok"]]
    # Every weightinit row has its NumPy speedup and its fraction of the ceiling.
    for r in results:
        if r["library"] == "weightinit":
            assert _number(r["speedup_vs_numpy"]) and _number(r["speedup_vs_numpy_philox"])
            assert _number(r["fraction_of_ceiling"])
        if r["library"] == "ceiling":
            assert r["speedup_vs_numpy"] is None
    # weightinit at both thread counts, for each dtype and size; NumPy once (1 thread).
    for dtype in ("float32", "float64", "bfloat16"):
        for n in (1000, 4096):
            threads = {r["threads"] for r in results if r["case"] == "weightinit he_normal" and r["dtype"] == dtype and r["n"] == n}
            assert threads == {1, 2}
            numpy_rows = [r for r in results if r["case"] == "numpy default_rng normal" and r["dtype"] == dtype and r["n"] == n]
            assert len(numpy_rows) == 1 and numpy_rows[0]["threads"] == 1


def test_the_per_core_limit_table_shows_the_philox_word_rate_and_each_kernels_fraction_of_it(tiny_run):
    _, out, report = tiny_run
    assert "Per core, in cache" in out and "M words/s" in out and "of Philox limit" in out
    kernels = report["kernels"]
    words = kernels[0]
    assert words["kernel"] == "philox4x32-10 words" and words["n"] == 2**16 and words["threads"] == 1
    assert words["isa"] == wi.get_isa() and _number(words["mvalues_per_s"]) and words["fraction_of_philox"] == 1.0
    measured = {(r["kernel"], r["dtype"]) for r in kernels[1:]}
    assert measured == {(k, d) for k in ("uniform", "normal", "truncated_normal") for d in ("float32", "float64", "bfloat16")}
    for r in kernels[1:]:
        assert r["n"] == 2**16 and r["threads"] == 1
        assert r["words_per_value"] == (2 if r["dtype"] == "float64" else 1)
        assert _number(r["mvalues_per_s"]) and r["mvalues_per_s"] > 0
        # the fraction is the stated ratio of the two measured rates
        assert r["fraction_of_philox"] == pytest.approx(r["mvalues_per_s"] * r["words_per_value"] / words["mvalues_per_s"])
    for r in kernels:
        assert f"{r['kernel']}  " in out or f"{r['kernel']} " in out
    md = [line for line in out.splitlines() if line.startswith("| philox4x32-10 words |") or line.startswith("| truncated_normal | float64 |")]
    assert len(md) == 2  # the Markdown version (--markdown) too


def test_fresh_weightinit_rows_show_their_fraction_of_the_additive_limit(tiny_run):
    _, _, report = tiny_run
    rate = {(r["case"], r["dtype"], r["n"], r["threads"]): r["mvalues_per_s"] for r in report["results"] if r["ok"]}
    per_core = {(r["kernel"], r["dtype"]): r["mvalues_per_s"] for r in report["kernels"]}
    kernel_of = {"weightinit glorot_uniform": "uniform", "weightinit he_normal": "normal",
                 "weightinit truncated_normal": "truncated_normal"}
    checked = 0
    for r in report["results"]:
        if r["library"] == "weightinit" and r["variant"] == "fresh":
            zeroing = rate[("ceiling zeros", r["dtype"], r["n"], r["threads"])]
            compute = per_core[(kernel_of[r["case"]], r["dtype"])] * r["threads"]
            limit = 1 / (1 / zeroing + 1 / compute)  # the times add
            assert r["additive_limit_mvalues_per_s"] == pytest.approx(limit)
            assert r["fraction_of_limit"] == pytest.approx(r["mvalues_per_s"] / limit)
            checked += 1
        else:
            assert r["fraction_of_limit"] is None
    assert checked == 3 * 3 * 2 * 2  # cases x dtypes x sizes x thread counts


def test_philox_word_kernel_rejects_what_it_cannot_fill():
    from weightinit import _core

    for bad in (np.zeros(63, np.uint32), np.zeros(64, np.int32), np.zeros((2, 64), np.uint32), np.zeros(128, np.uint32)[::2]):
        with pytest.raises(ValueError):
            _core.philox4x32_words(bad, (1, 2))
    readonly = np.zeros(64, np.uint32)
    readonly.flags.writeable = False
    with pytest.raises(ValueError):
        _core.philox4x32_words(readonly, (1, 2))


def test_torch_rows_when_installed(tiny_run):
    _, _, report = tiny_run
    torch_rows = [r for r in report["results"] if r["library"] == "torch"]
    try:
        import torch  # noqa: F401
    except ImportError:
        assert not torch_rows
        assert report["peers"]["torch"].startswith("not installed")
        return
    assert {r["case"] for r in torch_rows} == {"torch xavier_uniform_", "torch kaiming_normal_", "torch trunc_normal_"}
    assert {r["torch_threads"] for r in torch_rows} == {1, 2}


def test_cli_subcommand(tmp_path, capsys):
    path = tmp_path / "cli.json"
    code = cli_main(["bench", *TINY, "--dtypes", "float32", "--skip", "torch", "jax", "mkl_random", "--json", str(path)])
    assert code == 0
    out = capsys.readouterr().out
    assert "weightinit he_normal" in out and "skipped peers" in out
    report = json.loads(path.read_text())
    assert report["peers"]["torch"].startswith("skipped")
    assert not [r for r in report["results"] if r["library"] == "torch"]
    assert wi.get_num_threads() >= 1


def test_info_subcommand_still_works(capsys):
    assert cli_main(["info"]) == 0
    assert "weightinit" in capsys.readouterr().out


def test_failing_peer_is_reported_not_raised(tmp_path, capsys, monkeypatch):
    original = bench_cases._ceiling_cases

    def with_failure(dtype, n, threads, with_out):
        def setup():
            raise RuntimeError("peer exploded")

        broken = _bench.Case("broken peer", "weightinit", "normal", "fresh", dtype, n, _bench.shape_for(n), threads, setup)
        return original(dtype, n, threads, with_out) + [broken]

    monkeypatch.setattr(bench_cases, "_ceiling_cases", with_failure)
    path = tmp_path / "fail.json"
    code = _bench.main(["--sizes", "1000", "--reps", "1", "--quiet", "--no-plot", "--dtypes", "float32",
                        "--threads", "1", "--json", str(path), "--markdown"])
    assert code == 0
    out = capsys.readouterr().out
    assert "broken peer" in out and "n/a" in out and "peer exploded" in out
    rows = [r for r in json.loads(path.read_text())["results"] if r["case"] == "broken peer"]
    assert len(rows) == 1 and rows[0]["ok"] is False and "peer exploded" in rows[0]["error"]


def test_plot_written(tmp_path):
    pytest.importorskip("matplotlib")
    path = tmp_path / "b.json"
    code = _bench.main(["--sizes", "1000", "4096", "--reps", "1", "--quiet", "--dtypes", "float32",
                        "--skip", "torch", "--json", str(path)])
    assert code == 0
    png = path.with_suffix(".png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_helpers():
    assert _bench.shape_for(1000) == (25, 40)
    assert _bench.shape_for(2**20) == (1024, 1024)
    assert _bench.shape_for(4096) == (4, 1024)
    assert _bench.format_n(1000) == "1,000" and _bench.format_n(2**26) == "2^26"
    assert bench_cli._size("2^20") == 2**20 and bench_cli._size("1000") == 1000
    with pytest.raises(SystemExit):
        _bench.main(["--sizes", "0"])


def test_script_in_benchmarks_dir(tmp_path):
    script = ROOT / "benchmarks" / "bench.py"
    path = tmp_path / "script.json"
    proc = subprocess.run(
        [sys.executable, str(script), *TINY, "--dtypes", "float32", "--skip", "torch", "jax", "mkl_random", "--json", str(path)],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "weightinit glorot_uniform" in proc.stdout
    assert json.loads(path.read_text())["results"]


def test_the_generator_section_times_every_accelerated_method_against_numpy(tiny_run):
    code, out, report = tiny_run
    rows = report["generator"]
    assert "Generator: each accelerated method against NumPy's own call" in out
    expected = {
        (method, bg)
        for bg in ("Philox", "PCG64", "PCG64DXSM")
        for method, accelerated_on in wi.generator.ACCELERATED.items()
        if bg in accelerated_on and any(m == method for m, _ in bench_generator.CALLS)
    }
    assert {(r["method"], r["bit_generator"]) for r in rows} == expected
    assert {r["threads"] for r in rows} == {1, 2} and {r["n"] for r in rows} == {1000, 4096}
    for r in rows:
        assert all(_number(r[k]) and r[k] > 0 for k in ("numpy_mvalues_per_s", "weightinit_mvalues_per_s", "speedup"))
    # The README's compact Markdown version: a line per call, a column per bit generator and thread count.
    assert "| `random` float64 | " in out and "| call | Philox 2^12, 1 thread | Philox 2^12, 2 threads |" in out


def test_every_accelerated_method_has_a_benchmark_call():
    assert set(wi.generator.ACCELERATED) <= {m for m, _ in bench_generator.CALLS}


def test_model_build_script_times_single_process_and_sharded_builds():
    # benchmarks/model_build.py with small models: the single-process table and the sharded
    # (FSDP2, world size 2, gloo) table, torch's own init against weightinit's, and the column
    # that says whose sharded weights equal one process's (torch's differ on these models,
    # weightinit's must not). Bounded in time: a hung process group fails the test.
    pytest.importorskip("torch")
    import torch

    if not (torch.distributed.is_available() and torch.distributed.is_gloo_available()):
        pytest.skip("torch.distributed with gloo is not available")
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "benchmarks" / "model_build.py"), "--tiny", "--repeat", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
        env={**os.environ, "GLOO_SOCKET_IFNAME": "lo"},
    )
    try:
        out, _ = proc.communicate(timeout=240)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # the script and the ranks it spawned
        out, _ = proc.communicate()
        pytest.fail(f"benchmarks/model_build.py --tiny did not finish in 240 s:\n{out}")
    assert proc.returncode == 0, out
    lines = out.splitlines()
    single = [line for line in lines if line.startswith("| 2 x ") and line.count("|") == 7]
    sharded = [line for line in lines if line.startswith("| 2 x ") and line.count("|") == 8]
    assert len(single) == 2 and len(sharded) == 2, out
    assert "FSDP2 over 2 ranks" in out
    for line in sharded:
        cells = [c.strip() for c in line.strip("|").split("|")]
        assert all(_number(float(c)) for c in (cells[2], cells[3], cells[5]))
        assert cells[6].endswith("/ yes"), line
