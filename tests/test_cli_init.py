"""``python -m weightinit init``: files equal to the in-memory call bit for bit, written chunk by
chunk, in .npy and .safetensors; progress only on a terminal; usage errors exit 2 without a
traceback, runtime errors exit 1 and Ctrl-C exits 130, and neither leaves a file behind."""

from __future__ import annotations

import contextlib
import errno
import io
import inspect
import json
import math
import os
import re
import signal
import subprocess
import sys
import textwrap
import typing
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pytest

import weightinit as wi
from bits import BF16, as_bits, assert_same_bits
from weightinit import _cli_init, _cli_init_options, _progress, _tensor_file, initializers
from weightinit.__main__ import main as cli_main


def run(argv, capsys):
    """Run ``python -m weightinit init *argv`` in-process: (exit code, stdout, stderr)."""
    try:
        code = cli_main(["init", *map(str, argv)])
    except SystemExit as e:
        code = e.code
    out, err = capsys.readouterr()
    return code, out, err


def load_npy(path, dtype: str) -> np.ndarray:
    a = np.load(path)
    return a.view(BF16) if dtype == "bfloat16" else a  # .npy keeps bfloat16 as raw '<V2'


def expected(init, shape, dtype, seed, **kw):
    return getattr(wi, init)(tuple(shape), **kw, dtype=dtype, seed=seed)


def leftovers(directory: Path) -> list[str]:
    return [p.name for p in directory.iterdir() if p.name.endswith(".partial")]


def options(kw) -> list[str]:
    out = []
    for k, v in kw.items():
        out += [f"--{k}", str(v)]
    return out


# (init, shape, dtype, keyword parameters): 1-d to 4-d, rows that do not divide the chunk,
# rows larger than a chunk, every dtype.
CASES = [
    ("uniform", (1000,), "float32", {"low": -0.5, "high": 2.0}),
    ("normal", (37, 53), "float64", {"mean": 1.0, "std": 0.02}),
    ("truncated_normal", (13, 7, 29), "bfloat16", {"mean": 0.0, "std": 1.0, "a": -1.5, "b": 2.5}),
    ("truncated_normal", (31, 9), "float64", {"a": 0.5, "b": 3.0}),
    ("constant", (17, 5), "float16", {"value": 0.3}),
    ("zeros", (9, 4), "float32", {}),
    ("ones", (3, 4, 5), "bfloat16", {}),
    ("glorot_uniform", (33, 65), "float16", {"gain": 1.5}),
    ("xavier_normal", (40, 24), "float32", {}),
    ("he_normal", (5, 7, 11), "bfloat16", {"nonlinearity": "relu"}),
    ("kaiming_uniform", (24, 3, 3, 5), "float32", {"a": 0.2, "mode": "fan_out", "nonlinearity": "leaky_relu"}),
    ("lecun_normal", (3, 3, 8, 6), "float64", {"layout": "jax"}),
    ("lecun_uniform", (19, 23), "float32", {}),
    ("variance_scaling", (3, 3, 16, 8), "bfloat16",
     {"scale": 2.0, "mode": "fan_avg", "distribution": "truncated_normal", "layout": "jax"}),
    ("variance_scaling", (50, 3), "float32", {"mode": "fan_geo_avg", "distribution": "uniform"}),
]


@pytest.mark.parametrize("chunk_bytes", [100, 1 << 26])
@pytest.mark.parametrize("init, shape, dtype, kw", CASES, ids=[f"{c[0]}-{c[2]}-{len(c[1])}d" for c in CASES])
def test_npy_equals_the_in_memory_call(tmp_path, capsys, monkeypatch, chunk_bytes, init, shape, dtype, kw):
    monkeypatch.setattr(_cli_init, "CHUNK_BYTES", chunk_bytes)
    path = tmp_path / "w.npy"
    code, _, err = run(["--init", init, "--shape", *shape, "--dtype", dtype, "--seed", 7, *options(kw), "-o", path], capsys)
    assert code == 0, err
    assert err == ""
    assert_same_bits(load_npy(path, dtype), expected(init, shape, dtype, 7, **kw))
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16"])
def test_safetensors_loads_with_the_safetensors_package_and_equals_the_in_memory_call(tmp_path, capsys, monkeypatch, dtype):
    safetensors_numpy = pytest.importorskip("safetensors.numpy")
    monkeypatch.setattr(_cli_init, "CHUNK_BYTES", 300)
    path = tmp_path / "w.safetensors"
    code, _, err = run(["--init", "he_uniform", "--shape", 24, 3, 7, "--dtype", dtype, "--seed", 3, "--mode", "fan_out",
                        "-o", path], capsys)
    assert code == 0, err
    loaded = safetensors_numpy.load_file(str(path))  # BF16 comes back as ml_dtypes.bfloat16
    assert list(loaded) == ["weight"]
    assert_same_bits(loaded["weight"], wi.he_uniform((24, 3, 7), mode="fan_out", dtype=dtype, seed=3))


def test_safetensors_header_name_and_metadata(tmp_path, capsys):
    path = tmp_path / "w.safetensors"
    code, _, err = run(["--init", "truncated_normal", "--shape", 5, 3, "--dtype", "bfloat16", "--seed", 11, "--std", 0.02,
                        "--a", -0.04, "--b", 0.04, "--name", "layer.0.weight", "-o", path], capsys)
    assert code == 0, err
    raw = path.read_bytes()
    n = int.from_bytes(raw[:8], "little")
    assert (8 + n) % 8 == 0
    header = json.loads(raw[8:8 + n])
    assert header["layer.0.weight"] == {"dtype": "BF16", "shape": [5, 3], "data_offsets": [0, 30]}
    meta = header["__metadata__"]
    assert all(isinstance(v, str) for v in meta.values())  # the format allows only strings
    assert meta["init"] == "truncated_normal" and meta["seed"] == "11"
    assert json.loads(meta["params"]) == {"std": 0.02, "a": -0.04, "b": 0.04}
    assert len(raw) == 8 + n + 30
    data = np.frombuffer(raw[8 + n:], dtype="<u2")
    assert np.array_equal(data, as_bits(wi.truncated_normal((5, 3), 0.0, 0.02, -0.04, 0.04, dtype="bfloat16", seed=11)).ravel())


def test_safetensors_bfloat16_loads_in_torch(tmp_path, capsys):
    safetensors_torch = pytest.importorskip("safetensors.torch")
    torch = pytest.importorskip("torch")
    path = tmp_path / "w.safetensors"
    code, _, err = run(["--init", "kaiming_normal", "--shape", 33, 17, "--dtype", "bfloat16", "--seed", 5, "-o", path], capsys)
    assert code == 0, err
    t = safetensors_torch.load_file(str(path))["weight"]
    assert t.dtype == torch.bfloat16 and tuple(t.shape) == (33, 17)
    got = t.view(torch.int16).numpy().view(np.uint16)
    assert np.array_equal(got, as_bits(wi.kaiming_normal((33, 17), dtype="bfloat16", seed=5)))


@pytest.mark.parametrize("suffix", [".npy", ".safetensors"])
def test_zero_size_tensor(tmp_path, capsys, suffix):
    path = tmp_path / ("w" + suffix)
    code, _, err = run(["--init", "normal", "--shape", 0, 5, "--seed", 1, "-o", path], capsys)
    assert code == 0, err
    if suffix == ".npy":
        a = np.load(path)
    else:
        a = pytest.importorskip("safetensors.numpy").load_file(str(path))["weight"]
    assert a.shape == (0, 5) and a.dtype == np.float32


# ---------------------------------------------------------------------------------------------
# Chunks: the whole tensor is never in memory
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(1000,), (37, 53), (3, 4, 50), (2, 3, 5, 7), (1, 1, 1), (4096,), (5, 1, 300)])
@pytest.mark.parametrize("chunk_bytes", [1, 64, 1000, 1 << 20])
def test_plan_chunks_covers_the_tensor_in_order_with_contiguous_runs(shape, chunk_bytes):
    positions = np.arange(math.prod(shape)).reshape(shape)
    covered = []
    for chunk in _tensor_file.plan_chunks(shape, 4, chunk_bytes):
        part = positions[chunk.index]
        assert part.shape == chunk.shape
        assert 1 <= chunk.size and chunk.size * 4 <= max(chunk_bytes, 4)
        # one contiguous run of the file, where the chunk says it starts
        assert np.array_equal(part.ravel(), np.arange(chunk.start, chunk.start + chunk.size))
        covered.append(part.ravel())
    assert np.array_equal(np.concatenate(covered), positions.ravel())


def test_the_file_is_written_in_chunks_never_the_whole_tensor(tmp_path, capsys, monkeypatch):
    shape, chunk = (64, 1000), 4096  # 256,000 bytes in chunks of at most 4 KiB
    monkeypatch.setattr(_cli_init, "CHUNK_BYTES", chunk)
    calls = []
    real = initializers.he_normal

    def spy(*args, **kw):
        result = real(*args, **kw)
        calls.append((kw.get("out") is not None, np.asarray(result).nbytes))
        return result

    monkeypatch.setitem(initializers.INITIALIZERS, "he_normal", spy)
    path = tmp_path / "w.npy"
    code, _, err = run(["--init", "he_normal", "--shape", *shape, "--seed", 2, "-o", path], capsys)
    assert code == 0, err
    fills = [nbytes for has_out, nbytes in calls if nbytes]
    assert len(fills) >= 256_000 // chunk
    assert max(fills) <= chunk
    assert all(has_out for has_out, nbytes in calls if nbytes)  # written in place, into the file
    assert_same_bits(np.load(path), real(shape, seed=2))


def test_rows_larger_than_a_chunk_are_split(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(_cli_init, "CHUNK_BYTES", 64)
    path = tmp_path / "w.safetensors"
    code, _, err = run(["--init", "uniform", "--shape", 3, 2, 1001, "--dtype", "float64", "--seed", 9, "-o", path], capsys)
    assert code == 0, err
    raw = path.read_bytes()
    n = int.from_bytes(raw[:8], "little")
    got = np.frombuffer(raw[8 + n:], dtype="<f8").reshape(3, 2, 1001)
    assert_same_bits(got, wi.uniform((3, 2, 1001), dtype="float64", seed=9))


# ---------------------------------------------------------------------------------------------
# Seed, progress, threads
# ---------------------------------------------------------------------------------------------


def test_the_seed_is_printed_when_not_given_and_reproduces_the_file(tmp_path, capsys):
    first, second = tmp_path / "a.npy", tmp_path / "b.npy"
    code, out, err = run(["--init", "glorot_normal", "--shape", 30, 20, "--quiet", "-o", first], capsys)
    assert code == 0, err
    m = re.fullmatch(r"seed: (\d+)\n", out)
    assert m, out
    code, out, _ = run(["--init", "glorot_normal", "--shape", 30, 20, "--quiet", "--seed", m.group(1), "-o", second], capsys)
    assert code == 0 and out == ""  # given: not printed
    assert first.read_bytes() == second.read_bytes()
    assert_same_bits(np.load(first), wi.glorot_normal((30, 20), seed=int(m.group(1))))


def test_no_seed_is_printed_for_constants(tmp_path, capsys):
    code, out, _ = run(["--init", "zeros", "--shape", 4, "-q", "-o", tmp_path / "z.npy"], capsys)
    assert code == 0 and "seed" not in out


def test_no_progress_bar_when_stderr_is_not_a_terminal(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(_cli_init, "CHUNK_BYTES", 256)
    code, out, err = run(["--init", "normal", "--shape", 100, 10, "--seed", 0, "-o", tmp_path / "w.npy"], capsys)
    assert code == 0
    assert err == ""
    assert out.startswith("wrote ")  # the summary line, on stdout


@pytest.mark.parametrize("with_tqdm", [False, True])
def test_progress_bar_on_a_terminal_and_none_with_quiet(tmp_path, capsys, monkeypatch, with_tqdm):
    if with_tqdm:
        pytest.importorskip("tqdm")
    else:
        monkeypatch.setattr(_progress, "_load_tqdm", lambda: None)  # the built-in bar
    monkeypatch.setattr(_cli_init, "CHUNK_BYTES", 256)
    monkeypatch.setattr(_progress, "_is_terminal", lambda stream: True)
    args = ["--init", "normal", "--shape", 100, 10, "--seed", 0]
    code, _, err = run([*args, "-o", tmp_path / "a.npy"], capsys)
    assert code == 0
    assert "100%" in err and "a.npy" in err
    if not with_tqdm:
        assert "[" + "#" * 30 + "]" in err
    code, out, err = run([*args, "--quiet", "-o", tmp_path / "b.npy"], capsys)
    assert code == 0 and err == "" and out == ""


def test_threads_option_and_the_thread_count_is_restored(tmp_path, capsys):
    before = wi.get_num_threads()
    code, _, err = run(["--init", "normal", "--shape", 300, 300, "--seed", 4, "--threads", 1, "-o", tmp_path / "w.npy"], capsys)
    assert code == 0, err
    assert wi.get_num_threads() == before
    assert_same_bits(np.load(tmp_path / "w.npy"), wi.normal((300, 300), seed=4))


def test_force_overwrites(tmp_path, capsys):
    path = tmp_path / "w.npy"
    path.write_bytes(b"old")
    code, _, err = run(["--init", "ones", "--shape", 3, "--force", "-o", path], capsys)
    assert code == 0, err
    assert_same_bits(np.load(path), np.ones(3, np.float32))


# ---------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------

BAD_ARGUMENTS = {
    "unknown init": ["--init", "orthogonal", "--shape", 3, 3],
    "negative dim": ["--init", "normal", "--shape", 3, -2],
    "not an int dim": ["--init", "normal", "--shape", 3, "x"],
    "option not applicable": ["--init", "normal", "--shape", 3, "--gain", 2],
    "option of another init": ["--init", "glorot_uniform", "--shape", 3, 3, "--nonlinearity", "relu"],
    "option for zeros": ["--init", "zeros", "--shape", 3, "--value", 1],
    "unknown dtype": ["--init", "normal", "--shape", 3, "--dtype", "int8"],
    "missing shape": ["--init", "normal"],
    "empty shape": ["--init", "normal", "--shape"],
    "missing init": ["--shape", 3],
    "constant without value": ["--init", "constant", "--shape", 3],
    "fans of a 1-d shape": ["--init", "he_normal", "--shape", 3],
    "bad mode for he": ["--init", "he_normal", "--shape", 3, 3, "--mode", "fan_avg"],
    "bad parameter value": ["--init", "uniform", "--shape", 3, "--low", 2, "--high", 1],
    "not a number": ["--init", "normal", "--shape", 3, "--std", "abc"],
    "unknown nonlinearity": ["--init", "he_normal", "--shape", 3, 3, "--nonlinearity", "swish"],
    "negative seed": ["--init", "normal", "--shape", 3, "--seed", -1],
    "zero threads": ["--init", "normal", "--shape", 3, "--threads", 0],
    "name for npy": ["--init", "normal", "--shape", 3, "--name", "w"],
    "unknown option": ["--init", "normal", "--shape", 3, "--bogus", 1],
}


@pytest.mark.parametrize("argv", list(BAD_ARGUMENTS.values()), ids=list(BAD_ARGUMENTS))
def test_bad_arguments_exit_2_with_usage_and_no_traceback(tmp_path, capsys, argv):
    code, out, err = run([*argv, "-o", tmp_path / "w.npy"], capsys)
    assert code == 2
    assert err.startswith("usage: python -m weightinit init")
    assert "error:" in err and "Traceback" not in err
    assert out == ""
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("output", ["w.txt", "w", "missing_dir/w.npy"])
def test_bad_output_paths_exit_2(tmp_path, capsys, output):
    code, _, err = run(["--init", "normal", "--shape", 3, "-o", tmp_path / output], capsys)
    assert code == 2 and "usage:" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_an_existing_file_is_kept_without_force(tmp_path, capsys):
    path = tmp_path / "w.safetensors"
    path.write_bytes(b"keep me")
    code, _, err = run(["--init", "normal", "--shape", 3, "-o", path], capsys)
    assert code == 2 and "usage:" in err and "--force" in err and "Traceback" not in err
    assert path.read_bytes() == b"keep me"


def test_a_directory_is_never_overwritten(tmp_path, capsys):
    (tmp_path / "d.npy").mkdir()
    code, _, err = run(["--init", "normal", "--shape", 3, "--force", "-o", tmp_path / "d.npy"], capsys)
    assert code == 2 and "not a regular file" in err
    assert (tmp_path / "d.npy").is_dir()


def test_not_enough_disk_space_exits_1_before_writing(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(_tensor_file.shutil, "disk_usage", lambda path: type("U", (), {"free": 1000, "total": 2000, "used": 1000})())
    code, out, err = run(["--init", "normal", "--shape", 100, 100, "-o", tmp_path / "w.npy"], capsys)
    assert code == 1
    assert len(err.splitlines()) == 1 and "not enough free disk space" in err and "Traceback" not in err
    assert "usage:" not in err and "seed" not in out
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("suffix", [".npy", ".safetensors"])
def test_disk_full_while_writing_exits_1_and_removes_the_partial_file(tmp_path, capsys, monkeypatch, suffix):
    monkeypatch.setattr(_cli_init, "CHUNK_BYTES", 512)

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(_tensor_file, "_sync_data", full)
    code, _, err = run(["--init", "normal", "--shape", 50, 50, "--seed", 0, "-o", tmp_path / ("w" + suffix)], capsys)
    assert code == 1
    assert len(err.splitlines()) == 1 and "No space left on device" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_permission_denied_exits_1(tmp_path, capsys, monkeypatch):
    def denied(job, tmp):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), tmp)

    monkeypatch.setattr(_tensor_file, "_create", denied)
    code, _, err = run(["--init", "normal", "--shape", 3, "--seed", 0, "-o", tmp_path / "w.npy"], capsys)
    assert code == 1
    assert len(err.splitlines()) == 1 and "Permission denied" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_ctrl_c_removes_the_partial_file_and_exits_130(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(_cli_init, "CHUNK_BYTES", 400)
    real, count = initializers.normal, []

    def interrupted(*args, **kw):
        if kw.get("out") is not None:
            count.append(1)
            if len(count) == 3:
                raise KeyboardInterrupt
        return real(*args, **kw)

    monkeypatch.setitem(initializers.INITIALIZERS, "normal", interrupted)
    code, _, err = run(["--init", "normal", "--shape", 40, 40, "--seed", 0, "-o", tmp_path / "w.npy"], capsys)
    assert code == 130
    assert "interrupted" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------------------------------------
# The command as a whole
# ---------------------------------------------------------------------------------------------


def test_every_initializer_is_offered_with_its_own_parameters():
    names = set(initializers.__all__) - {"calculate_gain", "compute_fans"}
    assert set(_cli_init.INITIALIZER_OPTIONS) == names
    for name, opts in _cli_init.INITIALIZER_OPTIONS.items():
        params = inspect.signature(getattr(initializers, name)).parameters
        assert set(opts) <= set(params), name


def test_help_lists_the_initializers(capsys):
    code, out, _ = run(["--help"], capsys)
    assert code == 0
    assert "--init NAME" in out and "variance_scaling" in out and "--nonlinearity" in out


def test_info_still_works(capsys):
    assert cli_main(["info"]) == 0
    assert "weightinit" in capsys.readouterr().out


def _env():
    env = dict(os.environ)
    package_parent = str(Path(wi.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join([package_parent, *filter(None, [env.get("PYTHONPATH")])])
    return env


def test_python_m_weightinit_init_in_a_subprocess(tmp_path):
    path = tmp_path / "w.npy"
    cmd = [sys.executable, "-m", "weightinit", "init", "--init", "he_normal", "--shape", "65", "33",
           "--dtype", "bfloat16", "--seed", "0", "--output", str(path)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=_env(), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""  # not a terminal: no progress bar
    assert proc.stdout.startswith(f"wrote {path}")
    assert_same_bits(load_npy(path, "bfloat16"), wi.he_normal((65, 33), dtype="bfloat16", seed=0))
    bad = subprocess.run([*cmd[:4], "--init", "nope", "--shape", "3", "-o", str(tmp_path / "x.npy")],
                         capture_output=True, text=True, timeout=120, env=_env(), cwd=tmp_path)
    assert bad.returncode == 2 and bad.stderr.startswith("usage:") and "Traceback" not in bad.stderr


# ---------------------------------------------------------------------------------------------
# The options are derived from the initializers' signatures
# ---------------------------------------------------------------------------------------------


def shifted_uniform(
    shape: Any, low: float = -3.0, high: float = 3.0, *, flavor: Literal["plain", "shifted"] = "plain",
    dtype: Any = None, seed: Any = None, out: Any = None, index: Any = None,
) -> Any:
    """U[low, high), moved up by 1 when ``flavor`` is "shifted": an initializer the command has
    never heard of, with a default that is not uniform's and a parameter uniform lacks."""
    shift = 1.0 if flavor == "shifted" else 0.0
    return initializers.uniform(shape, low + shift, high + shift, dtype=dtype, seed=seed, out=out, index=index)


def halves(shape: Any, *, dtype: Any = None, seed: Any = None, out: Any = None, index: Any = None) -> Any:
    """All 0.5: an initializer that takes a seed and never uses it."""
    return initializers.constant(shape, 0.5, dtype=dtype, out=out, index=index)


def test_a_new_initializer_is_offered_with_its_options_and_defaults(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(initializers.INITIALIZERS, "shifted_uniform", shifted_uniform)
    assert _cli_init.INITIALIZER_OPTIONS["shifted_uniform"] == ("low", "high", "flavor")
    args = _cli_init.build_parser().parse_args(["--init", "shifted_uniform", "--shape", "3", "--flavor", "shifted", "-o", "w.npy"])
    assert args.init == "shifted_uniform" and args.flavor == "shifted"

    code, out, _ = run(["--help"], capsys)
    assert code == 0
    words = " ".join(out.split())  # however the lines wrap
    assert "shifted_uniform: --low X (default -3.0) --high X (default 3.0) --flavor {plain,shifted} (default plain)" in words
    assert re.search(r"--flavor \{plain,shifted\}\s+shifted_uniform: plain or shifted, default plain", out), out

    path = tmp_path / "w.npy"
    code, out, err = run(["--init", "shifted_uniform", "--shape", 40, 30, "--low", -1, "--flavor", "shifted", "--seed", 5,
                          "-o", path], capsys)
    assert code == 0, err
    assert_same_bits(np.load(path), shifted_uniform((40, 30), -1.0, flavor="shifted", seed=5))

    code, _, err = run(["--init", "shifted_uniform", "--shape", 3, "--flavor", "tilted", "-o", tmp_path / "x.npy"], capsys)
    assert code == 2 and "invalid choice: 'tilted' (choose from plain, shifted)" in err
    code, _, err = run(["--init", "uniform", "--shape", 3, "--flavor", "plain", "-o", tmp_path / "x.npy"], capsys)
    assert code == 2 and "--flavor does not apply to --init uniform" in err


@pytest.mark.parametrize("name", sorted(initializers.INITIALIZERS))
def test_the_options_of_each_initializer_are_its_keyword_parameters(name):
    fn = initializers.INITIALIZERS[name]
    params = {k: p for k, p in inspect.signature(fn).parameters.items() if k not in {"shape", "dtype", "seed", "out", "index"}}
    try:
        hints = typing.get_type_hints(fn)
    except TypeError:  # Python 3.9 cannot evaluate ``Axis | None``: read it as the command does
        hints = _cli_init_options._type_hints(fn)
    options = _cli_init_options.initializer_options(fn)
    assert list(options) == list(params)
    assert _cli_init.INITIALIZER_OPTIONS[name] == tuple(params)
    for k, p in params.items():
        option = options[k]
        assert option.required == (p.default is p.empty)
        assert option.required or option.default == p.default
        if typing.get_origin(hints[k]) is Literal:
            assert option.kind == "choice" and option.choices == typing.get_args(hints[k])
        elif hints[k] is float:
            assert option.kind == "number"
        else:
            assert hints[k] == typing.Optional[initializers.Axis] and option.kind == "axes"
    parser = _cli_init.build_parser()
    assert [a.choices for a in parser._actions if a.dest == "init"] == [tuple(initializers.INITIALIZERS)]
    flags = {s for a in parser._actions for s in a.option_strings}
    assert {option.flag for option in options.values()} <= flags


def test_an_option_is_read_as_the_chosen_initializer_takes_it(tmp_path, capsys):
    # --mode: fan_avg is one of variance_scaling's choices, not one of he_normal's.
    code, _, err = run(["--init", "variance_scaling", "--shape", 6, 4, "--mode", "fan_avg", "--seed", 1, "-o", tmp_path / "v.npy"], capsys)
    assert code == 0, err
    assert_same_bits(np.load(tmp_path / "v.npy"), wi.variance_scaling((6, 4), mode="fan_avg", seed=1))
    code, _, err = run(["--init", "he_normal", "--shape", 6, 4, "--mode", "fan_avg", "-o", tmp_path / "h.npy"], capsys)
    assert code == 2 and "--mode of --init he_normal: invalid choice: 'fan_avg' (choose from fan_in, fan_out)" in err
    # --a: truncated_normal's lower bound and kaiming's negative slope, a number for both.
    for init, kw in (("truncated_normal", {"a": -0.5}), ("kaiming_uniform", {"a": 0.2})):
        code, _, err = run(["--init", init, "--shape", 6, 4, *options(kw), "--seed", 2, "-o", tmp_path / f"{init}.npy"], capsys)
        assert code == 0, err
        assert_same_bits(np.load(tmp_path / f"{init}.npy"), expected(init, (6, 4), "float32", 2, **kw))
        code, _, err = run(["--init", init, "--shape", 6, 4, "--a", "slope", "-o", tmp_path / "x.npy"], capsys)
        assert code == 2 and f"--a of --init {init}: not a number: 'slope'" in err


def test_in_axis_and_out_axis_are_options_of_variance_scaling(tmp_path, capsys):
    path = tmp_path / "w.npy"
    code, _, err = run(["--init", "variance_scaling", "--shape", 4, 3, 5, "--in-axis", 0, "--out-axis", 1, 2,
                        "--distribution", "uniform", "--seed", 3, "-o", path], capsys)
    assert code == 0, err
    assert_same_bits(np.load(path), wi.variance_scaling((4, 3, 5), distribution="uniform", in_axis=0, out_axis=(1, 2), seed=3))
    code, _, err = run(["--init", "variance_scaling", "--shape", 4, 3, "--in-axis", 0, "--out-axis", 0, "-o", tmp_path / "x.npy"], capsys)
    assert code == 2 and "overlap" in err


@pytest.mark.parametrize("init, shape, uses_seed", [
    ("halves", (3, 4), False), ("shifted_uniform", (3, 4), True), ("zeros", (3, 4), False), ("constant", (3,), False),
    ("normal", (0, 4), True), ("he_normal", (0, 4), True),  # an empty tensor is told as a full one would be
])
def test_a_seed_is_drawn_and_printed_only_for_initializers_that_use_one(tmp_path, capsys, monkeypatch, init, shape, uses_seed):
    monkeypatch.setitem(initializers.INITIALIZERS, "halves", halves)
    monkeypatch.setitem(initializers.INITIALIZERS, "shifted_uniform", shifted_uniform)
    value = ["--value", 2] if init == "constant" else []
    code, out, err = run(["--init", init, "--shape", *shape, *value, "-q", "-o", tmp_path / "w.safetensors"], capsys)
    assert code == 0, err
    assert out.startswith("seed: ") == uses_seed
    raw = (tmp_path / "w.safetensors").read_bytes()
    meta = json.loads(raw[8:8 + int.from_bytes(raw[:8], "little")])["__metadata__"]
    assert ("seed" in meta) == uses_seed and ("--seed" in meta["command"]) == uses_seed


def test_a_parameter_the_command_line_cannot_give_is_a_clear_error():
    def weighted(shape: Any, *, weights: list = None, dtype: Any = None, seed: Any = None, out: Any = None, index: Any = None) -> Any:
        return initializers.zeros(shape, dtype=dtype, out=out, index=index)

    with pytest.raises(TypeError, match=r"weighted\(weights: <class 'list'>\)"):
        _cli_init_options.initializer_options(weighted)


# -- partial files of writers that were killed ---------------------------------------------------


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid  # exited and reaped: no such process (pids are not reused this fast)


def test_a_killed_writer_leaves_a_partial_file_that_the_next_run_removes(tmp_path):
    # A run killed with SIGKILL cannot clean up: its hidden partial file, named after its host
    # and pid, stays. The next run for the same output removes it (its writer is gone).
    out = tmp_path / "w.npy"
    code = textwrap.dedent(
        f"""
        import sys
        from weightinit import _tensor_file
        real = _tensor_file._fill_chunk
        def slow(*a, **k):
            real(*a, **k)
            print("writing", flush=True)
            import time; time.sleep(60)
        _tensor_file._fill_chunk = slow
        from weightinit._cli_init import main
        main(["--init", "uniform", "--shape", "1000", "--seed", "1", "--output", {str(out)!r}, "--quiet"])
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "writing"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        proc.kill()
        proc.stdout.close()
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.endswith(".partial")]
    assert len(leftovers) == 1 and f"-{proc.pid}-" in leftovers[0] and not out.exists()
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        assert _cli_init.main(["--init", "uniform", "--shape", "1000", "--seed", "1", "--output", str(out)]) == 0
    assert "removed 1 partial file(s)" in err.getvalue()
    assert [p.name for p in tmp_path.iterdir()] == ["w.npy"]


def test_partial_files_of_live_writers_and_other_hosts_are_left_alone(tmp_path):
    from weightinit import _tensor_file

    target = str(tmp_path / "w.npy")
    host = _tensor_file._host()
    live = tmp_path / f".w.npy.{host}-{os.getpid()}-0123abcd.partial"
    elsewhere = tmp_path / f".w.npy.otherhost-{_dead_pid()}-0123abcd.partial"
    dead = tmp_path / f".w.npy.{host}-{_dead_pid()}-89abcdef.partial"
    unrelated = tmp_path / f".v.npy.{host}-{_dead_pid()}-89abcdef.partial"
    for p in (live, elsewhere, dead, unrelated):
        p.write_bytes(b"x")
    assert _tensor_file.remove_stale_partials(target) == [dead.name]
    assert live.exists() and elsewhere.exists() and unrelated.exists() and not dead.exists()


def test_help_says_what_happens_to_partial_files():
    text = _cli_init.build_parser().format_help()
    assert "partial" in text and "removes" in text
