"""One notebook in one worker process: its kernel, its papermill run, its time limit.

The runner (:mod:`supportstats.reproduce`) starts one worker process per notebook
(:class:`Workers`, at most ``jobs`` at a time, results back through pipes). A worker

* dies with the runner (Linux parent-death signal; elsewhere the runner's own clean-up),
  and its kernel dies with it (parent-death signal, and ipykernel's own parent poller);
* ignores Ctrl-C, which the runner handles for the whole run; on SIGTERM it kills its
  kernel and exits at once;
* starts its kernel with stdout and stderr going to a log file from the first byte, over
  IPC sockets where the path fits, so the terminal shows none of the kernel's noise;
* writes everything (kernel connection files, papermill's copy) under the run's staging
  folder, which the runner (or the next run) removes;
* enforces the per-notebook time limit: the running cell is interrupted, the notebook
  fails naming that cell;
* may be started ahead of a free core: it gets its kernel answering and its parameters in,
  then waits at a gate (a pipe) until the runner opens it; it sends its result before it
  stops its kernel, so the next notebook's cells start without waiting for either.
"""
from __future__ import annotations

import ctypes
import multiprocessing
import multiprocessing.connection
import os
import re
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

from . import paths
from .errors import InputError
from .stored import ERROR_MARKER_TAG, INJECTED_TAG, notebook_text, strip_volatile

__all__ = ["KERNEL_NAME", "KERNEL_OPTIONS", "DEFAULT_TIMEOUT", "kernel_options", "start_kernel", "run_worker", "worker_environment", "prestart_kernels", "kernels_preloading",
           "release_kernels", "execute_notebook_task", "Workers",
           "start_method", "worker_context"]

#: The kernelspec every notebook runs in; the one place it is named.
# warm kernels forked from a zygote (supportstats.kernels); SUPPORTSTATS_KERNEL=python3 runs plain ones
KERNEL_NAME = os.environ.get("SUPPORTSTATS_KERNEL") or "supportstats"
#: Seconds the zygote a run used stays after the run (``SUPPORTSTATS_KERNELS_LINGER``
#: overrides), so an editor's next run starts at once; ``supportstats kernels --stop`` ends it.
RUN_LINGER = 300.0
#: Seconds one notebook may run (all its cells) before it is stopped and fails.
DEFAULT_TIMEOUT = 1800.0
_IPC_PATH_MAX = 100  # sockaddr_un paths are limited to 108 bytes on Linux
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_PR_SET_PDEATHSIG = 1
_KERNEL: dict = {}  # this worker's kernel manager, for the SIGTERM handler


def _die_with_parent(sig=signal.SIGKILL) -> None:
    """Ask Linux to send ``sig`` to this process when its parent dies (no-op elsewhere)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _kernel_preexec() -> None:  # runs in the kernel's process between fork and exec
    _die_with_parent(signal.SIGKILL)


# all it does is tie the kernel's life to this worker's, which a warm (forked) kernel's lease
# already does: the warm provisioner accepts it instead of falling back to a cold start
_kernel_preexec.parent_death_only = True


#: What a run's kernels are started with beyond the kernelspec's command. IPython's SQLite
#: history would record every cell of every notebook a run executes in the user's profile
#: (~/.ipython, shared by every run and every JupyterLab session): a write outside the run,
#: with a lock two kernels of a run contend for, ~0.03 CPU-s at each kernel's start and about
#: 1 ms a cell. A run's kernels keep their history in memory (``In``, ``_ih``, ``%history``).
KERNEL_OPTIONS = ("--HistoryManager.enabled=False",)


def kernel_options(argv) -> list[str]:
    """:data:`KERNEL_OPTIONS` for a kernelspec command that starts ipykernel; none for another kernel.

    Examples
    --------
    >>> kernel_options(["python", "-m", "ipykernel_launcher", "-f", "{connection_file}"])
    ['--HistoryManager.enabled=False']
    >>> kernel_options(["xpython", "-f", "{connection_file}"])
    []
    """
    return list(KERNEL_OPTIONS) if any("ipykernel" in str(arg) for arg in argv) else []


def start_kernel(cwd, *, runtime_dir, log):
    """Start the notebook kernel (:data:`KERNEL_NAME`) and return its ``KernelManager``.

    The kernel's stdout and stderr go to ``log`` (an open file) from its first byte; its
    connection file lives in ``runtime_dir``, its IPC sockets beside it or, where that path
    is too long for a socket, in the private kernels folder; it is killed when this worker
    dies. An ipykernel is started with :data:`KERNEL_OPTIONS`.
    """
    from jupyter_client.manager import KernelManager

    conn = Path(runtime_dir) / f"k{os.getpid()}.json"
    prefix = _ipc_prefix(conn)
    km = KernelManager(kernel_name=KERNEL_NAME, transport="tcp" if prefix is None else "ipc",
                       connection_file=str(conn), client_class="supportstats.kernels.ready.ReadyClient",
                       **({} if prefix is None else {"ip": prefix}))
    kw = {"preexec_fn": _kernel_preexec} if sys.platform.startswith("linux") else {}
    km.start_kernel(cwd=str(cwd), stdout=log, stderr=log, extra_arguments=kernel_options(km.kernel_spec.argv),
                    **kw)
    _KERNEL["km"] = km
    return km


def _ipc_prefix(conn: Path) -> str | None:
    """Where the kernel's IPC sockets go (``<prefix>-<port>``); None: TCP.

    TCP is the last resort: jupyter_client picks free ports by binding and releasing them,
    and a kernel binds them later, so kernels starting side by side (a run, a test session)
    now and then take each other's ports ("Address already in use", or a client talking to
    the wrong kernel: "Invalid Signature").
    """
    if sys.platform == "win32":
        return None
    prefix = f"{conn.with_suffix('')}-ipc"  # jupyter_client's own choice
    if len(f"{prefix}-99999") < _IPC_PATH_MAX:
        return prefix
    from .kernels.fingerprint import WarmUnavailable, runtime_dir

    try:  # the private (0700) folder the zygotes' sockets live in: short, and swept
        prefix = str(runtime_dir() / f"k{os.getpid()}-{os.urandom(4).hex()}-ipc")
    except WarmUnavailable:
        return None
    return prefix if len(f"{prefix}-99999") < _IPC_PATH_MAX else None


def _kill_kernel(sig=signal.SIGKILL) -> None:
    km = _KERNEL.get("km")
    pid = getattr(getattr(km, "provisioner", None), "pid", None)
    if pid:
        try:
            os.killpg(pid, sig)  # the kernel leads its own session (jupyter_client)
        except OSError:
            pass


def _on_term(signum, frame):
    _kill_kernel()
    _remove_sockets()
    os._exit(128 + signum)


def _remove_sockets() -> None:
    """Unlink the kernel's IPC socket files (they may live outside the staging folder).

    Plain unlinks: jupyter_client's ``cleanup_resources`` runs an event loop, which from a
    signal handler that interrupted nbclient's own loop can hang the worker for good.
    """
    km = _KERNEL.get("km")
    if km is None or km.transport != "ipc":
        return
    for port in (km.shell_port, km.iopub_port, km.stdin_port, km.hb_port, km.control_port):
        try:
            os.unlink(f"{km.ip}-{port}")
        except OSError:
            pass


def _become_worker(task: dict) -> None:
    """Settings of a worker process: signals, parent death, environment of its kernel."""
    _die_with_parent(signal.SIGTERM)
    if task.get("runner_pid") and os.getppid() != task["runner_pid"] and task.get("forked"):
        os._exit(1)  # the runner died before the parent-death signal was set
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the runner's to handle
    signal.signal(signal.SIGTERM, _on_term)
    os.environ.update(worker_environment(Path(task["staging"])))
    tempfile.tempdir = None


def worker_environment(staging: Path, base=None) -> dict[str, str]:
    """The environment a worker (and so its kernel) runs with: ``base`` (default this
    process's) with the venv first on PATH and JUPYTER_PATH, a fixed hash seed, and the
    run's output root, runtime and temporary folders under ``staging``."""
    env = dict(os.environ if base is None else base)
    bindir = str(Path(sys.executable).parent)
    env["PATH"] = bindir + os.pathsep + env.get("PATH", "")
    # JUPYTER_PATH outranks ~/.local/share/jupyter, so a stray user-level "python3"
    # kernelspec pointing at another interpreter cannot win over the venv's own.
    share = str(Path(sys.prefix) / "share" / "jupyter")
    env["JUPYTER_PATH"] = os.pathsep.join(filter(None, [share, env.get("JUPYTER_PATH")]))
    env.setdefault("PYTHONHASHSEED", "0")  # set and dict-of-str orders repeat in outputs
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # debugpy's frozen-modules warning
    env[paths.OUTPUT_ROOT_ENV] = str(staging)
    env["JUPYTER_RUNTIME_DIR"] = str(staging / ".runtime")
    env["TMPDIR"] = str(staging / ".tmp")
    return env


def prestart_kernels(staging: Path) -> bool:
    """Start the zygote this run's kernels will fork from, now, without waiting for it.

    It imports the stack while the runner imports papermill and starts its workers, instead
    of after the first worker asks for a kernel. The environment is exactly the workers'
    (or a second zygote would start). The runner releases it with :func:`release_kernels`.
    What the zygote imports last (:data:`.kernels.stack.LATER`) waits until the run has
    ended: the package's notebooks import none of it (one that does pays for it in its own
    kernel, as a cold kernel would).
    """
    from .kernels.client import prestart

    env = worker_environment(staging)
    linger = float(env.get("SUPPORTSTATS_KERNELS_LINGER") or RUN_LINGER)
    return prestart(KERNEL_NAME, env, linger=linger, defer_later=True)


def kernels_preloading() -> bool:
    """Whether the zygote :func:`prestart_kernels` started is still importing the stack."""
    from .kernels.client import preloading

    return preloading()


def release_kernels() -> None:
    """Stop counting this process as a user of the zygotes it prestarted (they end once idle)."""
    from .kernels.client import release

    release()


def run_worker(conn, task: dict) -> None:
    """Entry point of a worker process: run ``task``, send the result through ``conn``."""
    _become_worker(task)
    try:
        result = execute_notebook_task(task)
    except BaseException as exc:  # noqa: BLE001 - whatever happens, the runner gets one line
        result = {"notebook": Path(task["path"]).stem, "status": "failed", "cell": None, "seconds": float("nan"),
                  "error": one_line(f"{type(exc).__name__}: {exc}"), "text": None, "log": ""}
    try:
        conn.send(result)  # first: the runner gives the core to the next notebook at once
        conn.close()
    finally:
        km = _KERNEL.get("km")
        try:
            if km is not None:
                if km.has_kernel:  # a kernel we started is ours to stop
                    km.shutdown_kernel(now=True)
                km.cleanup_resources()
        except Exception:  # noqa: BLE001  (the kill below is what matters)
            pass
        finally:
            _kill_kernel()


def one_line(text, width=160) -> str:
    """Collapse ``text`` to one line of at most ``width`` characters (ANSI colours removed)."""
    text = " ".join(_ANSI.sub("", str(text)).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def failing_cell(nb):
    """Index (in the source notebook, injected cells not counted) and one-line error."""
    index = -1
    for cell in nb.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if INJECTED_TAG in tags or ERROR_MARKER_TAG in tags:
            continue
        index += 1
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                if out.get("ename") == "SystemExit" and str(out.get("evalue", "")) in ("", "0"):
                    continue
                return index, one_line(f"{out.get('ename')}: {out.get('evalue')}")
    return None, None


def _running_cell(nb):
    """Index of the cell papermill was executing when the kernel went away, if any."""
    index = -1
    for cell in nb.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if INJECTED_TAG in tags or ERROR_MARKER_TAG in tags:
            continue
        index += 1
        if cell.get("metadata", {}).get("papermill", {}).get("status") == "running":
            return index
    return None


def execute_notebook_task(task: dict) -> dict:
    """Run one notebook as ``task`` says; return its status and its cleaned JSON text.

    ``task`` holds ``path``, ``params``, ``cwd``, ``staging`` and ``timeout`` (seconds for the
    whole notebook). The kernel is a warm one (:data:`KERNEL_NAME`): it forks from a process
    that has imported the stack, so a notebook of a later stage starts in a fraction of a
    second and needs no warming ahead of time.

    With a ``gate`` (the read end of a pipe), the worker gets everything ready (kernel
    started and answering, notebook parameterized) and then waits for one message on it
    before the first cell runs: the runner prepares the next notebook while others run, and
    opens its gate when a core is free (or, for ``99_*``, when the stage before has ended).
    The time limit and ``seconds`` count from the gate's opening.
    """
    import nbformat
    import papermill as pm


    path, name = task["path"], Path(task["path"]).stem
    staging = Path(task["staging"])
    result = {"notebook": name, "status": "ok", "cell": None, "error": "", "text": None, "log": ""}
    log_path = staging / ".logs" / f"{name}.log"
    out = staging / ".tmp" / f"{name}.out.ipynb"
    with open(log_path, "wb") as log:
        km = start_kernel(task["cwd"], runtime_dir=staging / ".runtime", log=log)
        nb = nbformat.read(path, as_version=4)
        # a stale injected cell from an earlier "-p" run would keep overriding the defaults
        nb.cells = [c for c in nb.cells if INJECTED_TAG not in c.get("metadata", {}).get("tags", [])]
        nb.metadata.pop("papermill", None)  # and so would its recorded parameters
        strip_volatile(nb)  # ids first, so papermill's upgrade does not draw random ones
        # papermill clears every code cell's outputs before the first cell runs, but first
        # writes and re-reads the notebook it is given: without the last run's outputs
        # (figures, tables: up to 1.3 MB a notebook) that copy costs next to nothing
        for cell in nb.cells:
            if cell.get("cell_type") == "code":
                cell["outputs"], cell["execution_count"] = [], None
        timeout = task.get("timeout")
        done, timed_out, opened = threading.Event(), threading.Event(), threading.Event()
        started = time.perf_counter()

        def through_gate(**_):  # nbclient's on_notebook_start hook: the kernel answers, no cell has run
            nonlocal started
            gate = task.get("gate")
            if gate is not None:
                # a forked worker holds copies of the runner's ends too, so no EOF can be counted
                # on: a runner that dies takes its workers with it (parent-death signal, SIGTERM)
                gate.recv()
                gate.close()
            started = time.perf_counter()
            opened.set()

        def watchdog():
            while not opened.wait(0.5):
                if done.is_set():
                    return
            if timeout and not done.wait(timeout):
                timed_out.set()
                _kill_kernel(signal.SIGINT)  # interrupt the running cell
                if not done.wait(10):
                    _kill_kernel(signal.SIGKILL)

        guard = threading.Thread(target=watchdog, daemon=True)
        guard.start()
        sys.stdout.flush(), sys.stderr.flush()
        saved = os.dup(1), os.dup(2)
        os.dup2(log.fileno(), 1), os.dup2(log.fileno(), 2)  # papermill's and nbclient's own chatter
        try:
            pm.execute_notebook(nb, str(out), parameters=task.get("params") or None, kernel_name=KERNEL_NAME,
                                cwd=str(task["cwd"]), log_output=False, progress_bar=False,
                                request_save_on_cell_execute=False, km=km, on_notebook_start=through_gate)
        except pm.PapermillExecutionError:
            result["status"] = "failed"
        except Exception as exc:  # kernel died, no such kernel: still one line
            result["status"], result["error"] = "failed", one_line(f"{type(exc).__name__}: {exc}")
        finally:
            done.set()
            sys.stdout.flush(), sys.stderr.flush()
            os.dup2(saved[0], 1), os.dup2(saved[1], 2)
            os.close(saved[0]), os.close(saved[1])
    # the kernel is stopped by run_worker once the result has gone to the runner
    executed = nbformat.read(str(out), as_version=4) if out.exists() else None
    if result["status"] == "failed" and executed is not None:
        cell, error = failing_cell(executed)
        if cell is None:
            cell = _running_cell(executed)
        result["cell"], result["error"] = cell, error or result["error"]
    if timed_out.is_set():
        result["status"] = "failed"
        where = f" in cell {result['cell']}" if result["cell"] is not None else ""
        result["error"] = f"timed out after {timeout:g} s (--timeout){where}"
    if executed is not None:
        result["text"] = notebook_text(strip_volatile(executed))
    if result["status"] == "failed":
        result["log"] = log_path.read_text(errors="replace")
    out.unlink(missing_ok=True)
    result["seconds"] = time.perf_counter() - started
    return result


# ------------------------------------------------------------------- the runner's side

def start_method(live: bool) -> str:
    """How worker processes start; the worker code is spawn-safe either way.

    A single-threaded parent on Linux forks: workers inherit the modules already
    imported (papermill, pandas), which saves seconds per worker. A threaded parent (a
    Jupyter kernel, pytest-xdist, a live progress bar) must not fork, so it uses
    forkserver (one clean server imports papermill once) or, where neither exists, spawn.
    ``SUPPORTSTATS_START_METHOD`` forces one (the tests and the benchmark use it).
    """
    methods = multiprocessing.get_all_start_methods()
    method = os.environ.get("SUPPORTSTATS_START_METHOD")
    if method is None:
        if "fork" in methods and sys.platform.startswith("linux") and not live and threading.active_count() == 1:
            method = "fork"
        else:
            method = "forkserver" if "forkserver" in methods else "spawn"
    if method not in methods:
        raise InputError("unknown start method", value=method, expected=f"one of {', '.join(methods)}")
    return method


def worker_context(method: str):
    ctx = multiprocessing.get_context(method)
    if method == "fork":
        from . import preload  # noqa: F401  (papermill, imported once here, inherited by every worker)
    elif method == "forkserver":
        ctx.set_forkserver_preload(["supportstats.preload", "supportstats.execute", "supportstats.reproduce"])
    return ctx


class Workers:
    """Worker processes, one notebook each, results through pipes.

    A worker started ``gated`` prepares its notebook and waits at its gate (see
    :func:`execute_notebook_task`) until :meth:`open`; :attr:`executing` counts the others.
    """

    def __init__(self, ctx):
        self.ctx, self.running = ctx, {}
        self.exiting: list = []  # workers that have answered and are stopping their kernel
        self.gates: dict[Path, multiprocessing.connection.Connection] = {}  # start order

    def __len__(self):
        return len(self.running)

    @property
    def executing(self) -> int:
        return len(self.running) - len(self.gates)

    def start(self, path: Path, task: dict, gated: bool = False) -> None:
        recv, send = self.ctx.Pipe(duplex=False)
        if gated:
            gate_r, gate_w = self.ctx.Pipe(duplex=False)
            task = dict(task, gate=gate_r)
        proc = self.ctx.Process(target=run_worker, args=(send, task), daemon=True, name=f"supportstats-{path.stem}")
        proc.start()
        send.close()
        if gated:
            gate_r.close()
            self.gates[path] = gate_w
        self.running[recv] = (proc, path)

    def open(self, path: Path) -> None:
        """Let a gated worker run its cells."""
        gate = self.gates.pop(path)
        try:
            gate.send(True)
        except OSError:
            pass  # it has already ended (failed before its gate); wait() reports it
        gate.close()

    def wait(self, timeout=None) -> list[tuple[Path, dict]]:
        done = []
        self.exiting = [proc for proc in self.exiting if proc.is_alive()]  # is_alive() reaps the others
        for conn in multiprocessing.connection.wait(list(self.running), timeout):
            proc, path = self.running.pop(conn)
            if path in self.gates:
                self.gates.pop(path).close()
            try:
                res = conn.recv()
            except (EOFError, OSError):
                res = None
            conn.close()
            if res is not None:
                self.exiting.append(proc)  # reaped later: its kernel's shutdown is not the runner's wait
            else:  # killed, or crashed before it could answer
                proc.join(10)
                if proc.is_alive():
                    proc.kill()
                    proc.join()
                res = {"notebook": path.stem, "status": "failed", "cell": None, "seconds": float("nan"),
                       "error": f"the worker process died (exit code {proc.exitcode})", "text": None, "log": ""}
            done.append((path, res))
        return done

    def stop(self) -> None:
        """Terminate every worker (each kills its kernel on SIGTERM) and reap them."""
        for proc, _ in self.running.values():
            if proc.is_alive():
                proc.terminate()
        deadline = time.monotonic() + 5
        for conn, (proc, _) in list(self.running.items()):
            proc.join(max(0.0, deadline - time.monotonic()))
            if proc.is_alive():
                proc.kill()
                proc.join()
            conn.close()
        self.running.clear()
        for proc in self.exiting:
            proc.join(max(0.0, deadline - time.monotonic()))
            if proc.is_alive():
                proc.kill()
                proc.join()
        self.exiting.clear()
        for gate in self.gates.values():
            gate.close()
        self.gates.clear()
