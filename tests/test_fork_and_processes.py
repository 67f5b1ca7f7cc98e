"""Invariant 7: a fill never hangs, in a forked child or any other process a user starts.

Every scenario runs in a fresh Python process under a timeout, so a hang fails the test in
seconds instead of stalling the suite. In each, the parent first makes large tensors (so its
worker threads exist and have run), then starts children the way users do; each child makes
large tensors with the same seeds, and their bits must equal the parent's.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import numpy as np
import pytest

import weightinit as wi
from bits import assert_same_bits

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="fork() is POSIX")

#: Generous for a loaded 2-core CI machine under sanitizers; a hang is what it catches.
TIMEOUT = 120

#: Put at the top of every script: large fills whose bits are summed up in a digest. Each fill
#: is far above the serial threshold, so it runs on the worker pool.
PRELUDE = textwrap.dedent(
    """
    import hashlib, os, sys, threading, time
    import numpy as np
    import weightinit as wi

    def digest(seed):
        h = hashlib.sha256()
        for a in (
            wi.he_normal((1024, 1024), seed=seed),
            wi.glorot_uniform((512, 2048), seed=seed, dtype="bfloat16"),
            wi.truncated_normal((1 << 18,), 0.0, 0.02, -0.04, 0.04, seed=seed, dtype="float64"),
            wi.normal((2048, 1024), seed=seed, index=np.s_[::3, 1::2]),
        ):
            h.update(a.tobytes())
        return h.hexdigest()

    PARENT = {s: digest(s) for s in range(4)}  # the pool's threads now exist in the parent
    """
)


def run_script(tmp_path, body: str, *, timeout: float = TIMEOUT, env: dict | None = None) -> str:
    """Run PRELUDE + body as a script file (so spawn/forkserver children can import it)."""
    script = tmp_path / "scenario.py"
    script.write_text(PRELUDE + textwrap.dedent(body))
    try:
        proc = subprocess.run(
            [sys.executable, str(script)],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, **(env or {})},
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"hung: no exit within {timeout} s\nstdout:\n{exc.stdout}\nstderr:\n{exc.stderr}")
    assert proc.returncode == 0, f"exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    return proc.stdout


@pytest.mark.parametrize("method", ["fork", "forkserver", "spawn"])
def test_multiprocessing_pool_children_make_the_parents_bits(tmp_path, method):
    out = run_script(
        tmp_path,
        f"""
        import multiprocessing as mp
        if __name__ == "__main__":
            with mp.get_context({method!r}).Pool(2) as pool:
                children = pool.map(digest, range(4))
            assert children == [PARENT[s] for s in range(4)], "a child's tensors differ from the parent's"
            print("ok")
        """,
    )
    assert out.strip() == "ok"


@pytest.mark.parametrize("method", ["fork", None])
def test_process_pool_executor_children_make_the_parents_bits(tmp_path, method):
    out = run_script(
        tmp_path,
        f"""
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor
        if __name__ == "__main__":
            ctx = mp.get_context({method!r}) if {method!r} else None
            with ProcessPoolExecutor(max_workers=2, mp_context=ctx) as ex:
                children = list(ex.map(digest, range(4)))
            assert children == [PARENT[s] for s in range(4)]
            print("ok")
        """,
    )
    assert out.strip() == "ok"


def test_fork_of_a_fork_fills_on_all_threads_with_the_parents_bits(tmp_path):
    out = run_script(
        tmp_path,
        """
        def child(level):
            ok = digest(1) == PARENT[1]
            info = wi.info()
            if level < 2:
                pid = os.fork()
                if pid == 0:
                    child(level + 1)
                _, status = os.waitpid(pid, 0)
                ok = ok and os.waitstatus_to_exitcode(status) == 0
            ok = ok and info["forked_child"] and info["pool_workers"] == wi.get_num_threads() - 1
            os._exit(0 if ok else 1)

        assert not wi.info()["forked_child"]
        pid = os.fork()
        if pid == 0:
            child(1)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        print("ok")
        """,
    )
    assert out.strip() == "ok"


def test_fork_while_other_threads_are_in_the_middle_of_fills(tmp_path):
    # Two threads fill large arrays without pause (one holds the pool, the other runs alone
    # because it is busy) while the main thread forks twenty times: some forks land while the
    # pool's job is half done and its threads hold its locks. Every child must fill correctly.
    out = run_script(
        tmp_path,
        """
        stop = threading.Event()
        def keep_filling(seed):
            buf = np.empty((4096, 4096), dtype=np.float32)
            while not stop.is_set():
                wi.normal(buf.shape, seed=seed, out=buf)
        threads = [threading.Thread(target=keep_filling, args=(s,)) for s in (7, 8)]
        for t in threads:
            t.start()
        time.sleep(0.05)
        failures = 0
        for i in range(20):
            time.sleep(0.013 * (i % 5))
            pid = os.fork()
            if pid == 0:
                os._exit(0 if digest(i % 4) == PARENT[i % 4] else 1)
            _, status = os.waitpid(pid, 0)
            failures += os.waitstatus_to_exitcode(status) != 0
        stop.set()
        for t in threads:
            t.join()
        assert failures == 0, f"{failures} children failed"
        print("ok")
        """,
    )
    assert out.strip() == "ok"


def test_fork_while_another_thread_draws_from_a_numpy_bit_generator_raises_in_the_child(tmp_path):
    # NumPy's bit generator lock cannot be replaced, and NumPy's state is mid-update while it is
    # held: a child that inherits it held gets a clear error from weightinit, never a hang, from
    # the core's methods and NumPy's own alike. Children forked while the lock was free draw.
    out = run_script(
        tmp_path,
        """
        g = wi.Generator(np.random.Philox(3))
        stop = threading.Event()
        def keep_drawing():
            while not stop.is_set():
                g.random(1 << 22)
        t = threading.Thread(target=keep_drawing)
        t.start()
        time.sleep(0.05)
        outcomes = {"raised": 0, "drew": 0, "other": 0}
        for i in range(30):
            time.sleep(0.005 * (i % 3))
            pid = os.fork()
            if pid == 0:
                try:
                    g.random(1000)
                    wi.uniform((100,), seed=g)
                    g.gamma(2.0, size=10)  # one of NumPy's own methods
                    os._exit(10)
                except RuntimeError as exc:
                    os._exit(11 if "forked while another thread" in str(exc) else 12)
            _, status = os.waitpid(pid, 0)
            code = os.waitstatus_to_exitcode(status)
            outcomes["raised" if code == 11 else "drew" if code == 10 else "other"] += 1
        stop.set()
        t.join()
        assert outcomes["other"] == 0, outcomes
        assert outcomes["raised"] > 0, f"no fork landed while the lock was held: {outcomes}"
        print("ok")
        """,
    )
    assert out.strip() == "ok"


def test_sigint_in_a_forked_child_stops_its_long_fill(tmp_path):
    out = run_script(
        tmp_path,
        """
        import signal
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(r)
            os.write(w, b"x")
            try:
                wi.truncated_normal((1 << 26,), 0.0, 1.0, 3.0, 9.0, seed=0)  # many seconds
            except KeyboardInterrupt:
                os._exit(0)
            os._exit(1)
        os.close(w)
        os.read(r, 1)
        time.sleep(0.3)
        sent = time.perf_counter()
        os.kill(pid, signal.SIGINT)
        _, status = os.waitpid(pid, 0)
        took = time.perf_counter() - sent
        assert os.waitstatus_to_exitcode(status) == 0
        assert took < 3.0, took
        print("ok")
        """,
    )
    assert out.strip() == "ok"


def test_torch_dataloader_workers_make_the_parents_bits(tmp_path):
    pytest.importorskip("torch")
    out = run_script(
        tmp_path,
        """
        import torch
        from torch.utils.data import DataLoader, Dataset

        class Weights(Dataset):
            def __len__(self):
                return 8
            def __getitem__(self, i):
                return torch.from_numpy(wi.he_normal((512, 1024), seed=i))

        if __name__ == "__main__":
            expected = [wi.he_normal((512, 1024), seed=i) for i in range(8)]
            for method in ("fork", "spawn"):
                loader = DataLoader(Weights(), batch_size=None, num_workers=2, multiprocessing_context=method, timeout=60)
                got = [t.numpy() for t in loader]
                assert all((a == b).all() for a, b in zip(got, expected)), method
            print("ok")
        """,
    )
    assert out.strip() == "ok"


def test_info_in_a_forked_child_says_so(tmp_path):
    out = run_script(
        tmp_path,
        """
        import contextlib, io
        pid = os.fork()
        if pid == 0:
            text = io.StringIO()
            with contextlib.redirect_stdout(text):
                wi.show_info()
            ok = "forked after weightinit was imported" in text.getvalue()
            os._exit(0 if ok else 1)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        text = io.StringIO()
        with contextlib.redirect_stdout(text):
            wi.show_info()
        assert "forked_child    no" in text.getvalue(), text.getvalue()
        print("ok")
        """,
    )
    assert out.strip() == "ok"


# -- the same class of trouble inside one process --------------------------------------------


def _pool_thread_ids() -> list[int]:
    return [
        int(tid)
        for tid in os.listdir("/proc/self/task")
        if Path(f"/proc/self/task/{tid}/comm").read_text().strip() == "weightinit-pool"
    ]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.skipif(wi.get_num_threads() < 2, reason="needs the worker pool")
def test_worker_threads_block_asynchronous_signals_but_not_faults():
    wi.he_normal((2048, 2048), seed=0)
    tids = _pool_thread_ids()
    assert tids, "the large fill started no worker thread"
    for tid in tids:
        status = Path(f"/proc/self/task/{tid}/status").read_text()
        blocked = int(next(line.split()[1] for line in status.splitlines() if line.startswith("SigBlk:")), 16)
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGALRM, signal.SIGCHLD, signal.SIGUSR1):
            assert blocked >> (sig - 1) & 1, f"worker {tid} can receive {sig!r}"
        for sig in (signal.SIGSEGV, signal.SIGBUS, signal.SIGFPE, signal.SIGILL):
            assert not blocked >> (sig - 1) & 1, f"worker {tid} blocks {sig!r} (a crash there would go unreported)"


def test_set_num_threads_from_many_threads_at_once_is_per_thread_and_never_changes_bits():
    expected = wi.he_normal((1024, 1031), seed=5)
    errors: list[str] = []
    barrier = threading.Barrier(6)

    def worker(n):
        barrier.wait()
        for _ in range(20):
            wi.set_num_threads(n)
            got = wi.he_normal((1024, 1031), seed=5)
            if wi.get_num_threads() != (n if wi.info()["openmp"] else 1):
                errors.append(f"thread asking for {n} sees {wi.get_num_threads()}")
            if not (got.view(np.uint32) == expected.view(np.uint32)).all():
                errors.append(f"different bits with {n} threads")

    threads = [threading.Thread(target=worker, args=(n,)) for n in (1, 2, 3, 4, 8, 16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=TIMEOUT)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    assert errors == []


def test_concurrent_fills_share_the_pool_or_run_alone_with_the_same_bits():
    # Eight threads fill large tensors at once: one job owns the pool at a time, the others
    # find it busy and run on their own thread. Every result equals the one-call result.
    seeds = list(range(16))
    expected = {s: wi.normal((1 << 20,), seed=s, dtype="float64") for s in seeds}
    before = wi._core.pool_stats()
    results: dict[int, np.ndarray] = {}

    def fill(s):
        results[s] = wi.normal((1 << 20,), seed=s, dtype="float64")

    threads = [threading.Thread(target=lambda k=k: [fill(s) for s in seeds[k::8]]) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=TIMEOUT)
    for s in seeds:
        assert_same_bits(results[s], expected[s])
    after = wi._core.pool_stats()
    if wi.get_num_threads() > 1:  # else every fill runs on its caller, without the pool
        assert after["jobs"] + after["solo"] > before["jobs"] + before["solo"]


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child process is POSIX")
def test_ctrl_c_while_another_python_thread_fills_ends_the_process(tmp_path):
    # Python runs signal handlers in the main thread only: the main thread, waiting in join(),
    # gets KeyboardInterrupt at once; the filling thread is a daemon and ends with the process.
    script = tmp_path / "interrupt.py"
    script.write_text(
        textwrap.dedent(
            """
            import sys, threading
            import weightinit as wi
            t = threading.Thread(target=lambda: wi.truncated_normal((1 << 26,), 0.0, 1.0, 3.0, 9.0, seed=0), daemon=True)
            t.start()
            print("ready", flush=True)
            try:
                t.join()
            except KeyboardInterrupt:
                print("interrupted", flush=True)
                sys.exit(0)
            """
        )
    )
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(0.5)
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 0 and out.strip() == "interrupted", (proc.returncode, out)


def test_interpreter_exit_while_a_daemon_thread_fills_is_clean(tmp_path):
    # While the interpreter finalizes, CPython (before 3.14) ends a daemon thread that asks for
    # the GIL with pthread_exit(): a forced unwind through the C++ frames, which must not become
    # std::terminate (an abort and a core dump at every such exit). A long fill asks for the
    # GIL between chunks (to check for Ctrl-C) every few milliseconds, so it always meets the
    # finalization; every binding takes the GIL back through the same helper (bindings/gil.hpp).
    script = tmp_path / "daemon.py"
    script.write_text(
        textwrap.dedent(
            """
            import threading, time
            import weightinit as wi
            threading.Thread(target=lambda: wi.truncated_normal((1 << 26,), 0.0, 1.0, 3.0, 9.0, seed=0), daemon=True).start()
            time.sleep(0.2)
            print("exiting", flush=True)
            """
        )
    )
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=TIMEOUT)
    assert proc.returncode == 0, (proc.returncode, proc.stderr)
    assert proc.stdout.strip() == "exiting" and "terminate" not in proc.stderr


@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_a_fill_inside_a_forked_child_of_this_test_process_matches():
    # The same without a fresh interpreter: pytest's own process, with everything the suite has
    # loaded so far (torch's and NumPy's thread pools included), forks and fills.
    expected = wi.glorot_uniform((2048, 2048), seed=11)
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        try:
            os.close(r)
            got = wi.glorot_uniform((2048, 2048), seed=11)
            os.write(w, b"1" if (got.view(np.uint32) == expected.view(np.uint32)).all() else b"0")
        finally:
            os._exit(0)
    os.close(w)
    deadline = time.monotonic() + TIMEOUT
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            pytest.fail("the forked child hung")
        time.sleep(0.05)
    answer = os.read(r, 1)
    os.close(r)
    assert answer == b"1"
