"""Threads and signals: concurrent calls give their sequential results, the GIL is released
while the core fills, and Ctrl-C stops a long fill promptly with a clean KeyboardInterrupt."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import weightinit as wi
from bits import assert_same_bits

CALLS = [
    lambda seed: wi.he_normal((512, 1031), seed=seed),
    lambda seed: wi.glorot_uniform((700, 300), seed=seed, dtype="bfloat16"),
    lambda seed: wi.truncated_normal((257, 129), 0.0, 0.02, -0.04, 0.04, seed=seed, dtype="float64"),
    lambda seed: wi.normal((3000, 500), seed=seed, dtype="float16", index=np.s_[::7, 3::2]),
    lambda seed: wi.uniform((1 << 18,), seed=seed),
]


def test_calls_from_many_threads_at_once_equal_the_same_calls_one_at_a_time():
    jobs = [(k % len(CALLS), seed) for k, seed in enumerate(range(40))]
    sequential = [CALLS[c](seed) for c, seed in jobs]
    with ThreadPoolExecutor(max_workers=8) as pool:
        concurrent = list(pool.map(lambda job: CALLS[job[0]](job[1]), jobs))
    for got, expected in zip(concurrent, sequential):
        assert_same_bits(got, expected)


def test_one_generator_used_as_seed_by_many_threads_never_repeats_a_key():
    g = wi.default_rng(123)
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: wi.uniform((16,), seed=g, dtype="float64"), range(200)))
    firsts = {r.tobytes() for r in results}
    assert len(firsts) == 200  # 200 distinct keys (a repeat would repeat the whole array)


def test_the_gil_is_released_while_a_large_fill_runs():
    # A Python loop in this thread keeps running while another thread fills 2^27 float32
    # (about 0.1-0.5 s). If the fill held the GIL, the loop could not advance until it ended.
    out = np.empty(1 << 27, dtype=np.float32)
    started, done = threading.Event(), threading.Event()

    def fill():
        started.set()
        wi.normal(out.shape, seed=1, out=out)
        done.set()

    worker = threading.Thread(target=fill)
    ticks_during_fill = 0
    worker.start()
    started.wait()
    t0 = time.perf_counter()
    while not done.is_set():
        ticks_during_fill += 1
        time.sleep(0)
    worker.join()
    elapsed = time.perf_counter() - t0
    assert elapsed > 0.01, "fill too fast to observe; raise the size"
    assert ticks_during_fill > 100, f"only {ticks_during_fill} loop iterations ran in {elapsed:.3f} s"


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child process is POSIX")
def test_ctrl_c_interrupts_a_long_fill_within_a_second():
    # Truncated normals on the exact path run at a few million a second, so 2^26 of them take
    # several seconds; SIGINT after 0.5 s must end the call with KeyboardInterrupt well before.
    code = textwrap.dedent(
        """
        import sys, time
        import weightinit as wi
        print("ready", flush=True)
        t0 = time.perf_counter()
        try:
            wi.truncated_normal((1 << 26,), 0.0, 1.0, 3.0, 9.0, seed=0)
        except KeyboardInterrupt:
            print(f"interrupted {time.perf_counter() - t0:.3f}", flush=True)
            sys.exit(0)
        print(f"finished {time.perf_counter() - t0:.3f}", flush=True)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=dict(os.environ))
    assert proc.stdout.readline().strip() == "ready"
    time.sleep(0.5)
    sent = time.perf_counter()
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=60)
    reaction = time.perf_counter() - sent
    assert proc.returncode == 0, out
    assert out.startswith("interrupted"), out
    assert reaction < 1.5, f"took {reaction:.2f} s to stop after SIGINT"
