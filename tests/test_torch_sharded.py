"""Sharded equals unsharded, across processes: DTensor shards made by weightinit.torch hold
exactly the values of their region of the tensor one process makes (DESIGN.md, invariant 8).

Each test runs ``tests/sharded_workers.py`` (which documents the scenarios) in a process group of
its own: that process makes the single-process reference, then spawns the ranks (gloo on the
loopback interface) which make the same tensors sharded and compare them bit for bit. A hang
fails the test after ``TIMEOUT`` seconds instead of stalling the suite: the whole process group
is killed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
if not (torch.distributed.is_available() and torch.distributed.is_gloo_available()):
    pytest.skip("torch.distributed with gloo is not available", allow_module_level=True)

WORKERS = Path(__file__).resolve().parent / "sharded_workers.py"
TIMEOUT = 120  # seconds per scenario; each takes 10-30 s on a 2-core machine


def run_ranks(scenario: str, world: int, directory: Path) -> str:
    env = dict(os.environ, GLOO_SOCKET_IFNAME="lo")
    proc = subprocess.Popen(
        [sys.executable, str(WORKERS), scenario, str(world), str(directory)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, start_new_session=True,
    )
    try:
        out, _ = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # the launcher and the ranks it spawned
        out, _ = proc.communicate()
        pytest.fail(f"{scenario} with world size {world} did not finish in {TIMEOUT} s:\n{out}")
    assert proc.returncode == 0, f"{scenario} with world size {world} failed:\n{out}"
    return out


@pytest.mark.parametrize("world", [2, 4])
def test_every_initializer_on_dtensors_equals_the_single_process_tensor(world, tmp_path):
    # Every function, shapes with uneven shards (and empty ones at world size 4), Shard(d) for
    # each d, Replicate, and 2-D meshes (Shard(0), Shard(1)), (Replicate, Shard(0)),
    # (Shard(1), Shard(1)), (_StridedShard(0), Shard(0)); gathered and local shard compared, and
    # the element-wise functions sample exactly the local shard's number of values.
    out = run_ranks("initializers", world, tmp_path)
    assert out.count("sharded initializations equal the single-process tensors") == world


@pytest.mark.parametrize("world", [1, 2, 4])
def test_sharded_model_builds_equal_the_single_process_model(world, tmp_path):
    # A small transformer on the meta device, FSDP2 / tensor parallel / both, to_empty,
    # init_module: the single-process build's weights, in call order and by name (with a block
    # more, whose other weights stay those of the smaller model).
    out = run_ranks("models", world, tmp_path)
    assert out.count("builds equal the single-process model") == world
