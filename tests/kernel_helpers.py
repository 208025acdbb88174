"""Start kernels (warm or plain) and run code in them; shared by the warm-kernel tests."""
from __future__ import annotations

import json
import os
import queue
import time
from pathlib import Path

from jupyter_client.manager import KernelManager

WARM, PLAIN = "supportstats", "python3"


def start(name=WARM, cwd=None, env=None, timeout=300):
    """A started kernel manager and a ready blocking client."""
    km = KernelManager(kernel_name=name)
    km.start_kernel(cwd=str(cwd or os.getcwd()), env=dict(os.environ if env is None else env))
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=timeout)
    except BaseException:
        stop(km, kc)
        raise
    return km, kc


def stop(km, kc=None):
    if kc is not None:
        kc.stop_channels()
    if km.has_kernel:
        km.shutdown_kernel(now=True)


def run(kc, code, timeout=300) -> tuple[dict, str]:
    """Execute ``code``; return the reply content and everything printed to stdout."""
    out = []

    def hook(msg):
        if msg["msg_type"] == "stream" and msg["content"]["name"] == "stdout":
            out.append(msg["content"]["text"])

    reply = kc.execute_interactive(code, timeout=timeout, output_hook=hook)
    return reply["content"], "".join(out)


def value(kc, expr, timeout=300):
    """The JSON value of ``expr`` in the kernel.

    Right after an error (an interrupt), ipykernel aborts requests that reach it while it
    clears its queue, plain and warm kernels alike: such a request is sent again.
    """
    for _ in range(5):
        content, out = run(kc, f"import json as _j; print(_j.dumps({expr}))", timeout=timeout)
        if content["status"] != "aborted":
            break
        time.sleep(0.5)
    assert content["status"] == "ok", content
    return json.loads(out.strip().splitlines()[-1])


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, dead but not yet reaped, counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def wait_gone(pids, timeout=20.0) -> list[int]:
    """Wait until none of ``pids`` runs; return those still running at the deadline."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        left = [p for p in pids if alive(p)]
        if not left:
            return []
        time.sleep(0.1)
    return [p for p in pids if alive(p)]


def runtime_folder() -> Path:
    """A private folder with a short path: socket paths must fit in 108 bytes, and
    pytest's temporary folders under xdist are long."""
    import tempfile

    return Path(tempfile.mkdtemp(prefix="sk-", dir="/tmp"))


def zygote_status(folder: Path) -> list[dict]:
    from supportstats.kernels.client import zygotes

    return zygotes({"SUPPORTSTATS_KERNELS_DIR": str(folder)})


def drain(kc, channel="iopub", seconds=0.2):
    get = getattr(kc, f"get_{channel}_msg")
    while True:
        try:
            get(timeout=seconds)
        except queue.Empty:
            return
