"""What the zygote imports (the stack), and what it checks before it forks.

* :data:`PRELOAD` — the modules every kernel would import, loaded once in the zygote, and
  :data:`LATER` those it imports after them (a runner's zygote: once the run has ended);
  :data:`NOT_PRELOADED` the package's modules left to each kernel, and why;
* :data:`THREAD_VARS` — set to 1 in the zygote's environment, so that no thread pool exists
  when it forks;
* :data:`PROBE` — run by the starter beside the zygote, in the environment its kernels are
  asked for: the BLAS thread counts a cold kernel would have, set in each kernel after
  the fork. It loads numpy's and scipy.linalg's compiled modules with the dynamic loader
  rather than importing the packages: the same libraries start with the same environment,
  so they choose the same thread counts, for ~0.1 CPU-seconds instead of ~0.4 (it runs
  while the zygote imports, on the same cores). Where the modules are not where a wheel or
  conda puts them, or cannot be loaded that way, it imports numpy and scipy.linalg instead;
* :class:`Preloaded` — the import itself, with the environment variables read meanwhile
  (:class:`EnvironReads`), the files to watch for changes, and :meth:`Preloaded.unsafe`,
  why forking now would not give a clean kernel.
"""
from __future__ import annotations

import gc
import importlib
import json
import os
import select
import sys
import time
import warnings

__all__ = ["THREAD_VARS", "BLAS_IDLE", "kernel_environment", "PRELOAD", "LATER", "NOT_PRELOADED", "NEVER", "PROBE", "Preloaded", "EnvironReads",
           "thread_count", "read_to_end"]

#: Set to 1 in the zygote before anything loads a thread pool.
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "MKL_NUM_THREADS",
               "BLIS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")
#: Set in the environment of every kernel of the warm kernelspec (forked, or started cold)
#: where neither it nor GOTO_THREAD_TIMEOUT is set: OpenBLAS's idle threads then sleep after
#: 2**4 clock cycles instead of 2**28 (~0.1 s) of spinning on ``sched_yield``. A forked kernel
#: creates its BLAS threads when it takes a cold kernel's thread counts, and two OpenBLAS
#: libraries (numpy's and scipy's) spun ~0.19 CPU-s of a 0.25 CPU-s start; every parallel BLAS
#: call left them spinning again, on cores other notebooks of a run wanted. The thread counts,
#: and with them the results, do not change. OpenBLAS reads it when loaded, so it keys the
#: zygote like any variable of the environment.
BLAS_IDLE = ("OPENBLAS_THREAD_TIMEOUT", "4")
#: Imported once by the zygote, inherited by every kernel.
PRELOAD = ("numpy", "scipy", "scipy.linalg", "scipy.stats", "scipy.optimize", "scipy.special", "pandas",
           "pyarrow", "matplotlib", "matplotlib.pyplot",
           "seaborn", "yaml", "pandera", "threadpoolctl", "IPython", "IPython.display", "zmq",
           "tornado.ioloop", "jupyter_client.session", "ipykernel.kernelapp", "ipykernel.ipkernel",
           "ipykernel.zmqshell", "ipykernel.comm", "comm", "supportstats",
           # what ipykernel and IPython import while a kernel starts (the debugger alone ~0.3 s)
           "ipykernel.debugger", "sqlite3", "pdb", "psutil", "IPython.core.debugger",
           "IPython.core.completerlib", "IPython.core.oinspect", "IPython.core.logger",
           "IPython.extensions.storemagic", "tornado.gen", "tornado.locks", "tornado.queues",
           "tornado.platform.asyncio", "matplotlib.backends.backend_agg",
           # what pandera imports on a schema's first validate (its data-synthesis strategies, and
           # with them hypothesis where it is installed: ~0.3 s in every kernel that validates)
           "pandera.backends.pandas.register", "pandera.backends.pandas.builtin_checks",
           "pandera.backends.pandas.container", "pandera.backends.pandas.components")
#: Imported after :data:`PRELOAD`: by a zygote a runner starts, only once no runner
#: that asked for that is connected and no kernel has been asked for in a while (see
#: :meth:`Preloaded.load_later`). No notebook of the package imports them (~0.25 s, ~570
#: modules: the whole of statsmodels and more of scipy); a researcher's ``import
#: statsmodels.api as sm`` does.
LATER = ("statsmodels.stats.api", "statsmodels.api")
#: supportstats modules left to the kernel, and why.
NOT_PRELOADED = {"plots": "chooses the backend and sets rcParams when imported"}
#: Imported by a kernel when it first selects the inline backend; importing it wires IPython's
#: figure display into the shell of the moment (none, in the zygote).
NEVER = ("matplotlib_inline", "matplotlib_inline.backend_inline")
#: Run by the zygote's starter beside the zygote (see the module's docstring). Ctrl-C at the
#: starter's terminal must not cut it short.
PROBE = r"""
import signal
signal.signal(signal.SIGINT, signal.SIG_IGN)
import ctypes, importlib.util, json, os, sysconfig


def compiled(package, *candidates):
    # the first of the package's compiled modules that exists, found without importing it
    base = os.path.dirname(importlib.util.find_spec(package).origin)
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    for name in candidates:
        path = os.path.join(base, *name.split("/")) + suffix
        if os.path.exists(path):
            return path
    raise FileNotFoundError(f"{package}: none of {candidates}")


try:
    for path in (compiled("numpy", "_core/_multiarray_umath", "core/_multiarray_umath"),
                 compiled("numpy", "linalg/_umath_linalg"),
                 compiled("scipy", "linalg/_fblas"), compiled("scipy", "linalg/_flapack")):
        ctypes.CDLL(path, mode=os.RTLD_LOCAL)
except Exception:
    import numpy, scipy.linalg
import threadpoolctl

print(json.dumps({i["filepath"]: i["num_threads"] for i in threadpoolctl.threadpool_info()}))
"""


def kernel_environment(env) -> dict[str, str]:
    """``env`` with :data:`BLAS_IDLE` where the user has set no OpenBLAS thread timeout.

    Examples
    --------
    >>> kernel_environment({"HOME": "/root"})
    {'HOME': '/root', 'OPENBLAS_THREAD_TIMEOUT': '4'}
    >>> kernel_environment({"GOTO_THREAD_TIMEOUT": "20"})
    {'GOTO_THREAD_TIMEOUT': '20'}
    """
    env = dict(env)
    if not any(env.get(var) for var in (BLAS_IDLE[0], "GOTO_THREAD_TIMEOUT")):
        env[BLAS_IDLE[0]] = BLAS_IDLE[1]
    return env


def thread_count() -> int:
    """Threads of this process (-1 where ``/proc`` cannot tell)."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return -1


class EnvironReads:
    """Record the environment variables Python code looks up while the stack imports.

    A variable read at import time is fixed for every kernel of the zygote: it must be
    part of the zygote's fingerprint or be re-applied in the kernel (a test checks).
    """

    def __enter__(self):
        self.names: set[str] = set()
        cls = type(os.environ)
        self._getitem, self._iter = cls.__getitem__, cls.__iter__
        names, getitem, iterate = self.names, self._getitem, self._iter

        def __getitem__(env, key):
            names.add(key if isinstance(key, str) else key.decode(errors="replace"))
            return getitem(env, key)

        def __iter__(env):
            names.add("*")  # the whole environment was copied or scanned
            return iterate(env)

        cls.__getitem__, cls.__iter__ = __getitem__, __iter__
        return self

    def __exit__(self, *exc):
        cls = type(os.environ)
        cls.__getitem__, cls.__iter__ = self._getitem, self._iter


def _read_probe(fd: int, timeout: float = 120.0) -> dict | None:
    """The starter's :data:`PROBE` output from ``fd`` (closed here): BLAS library path ->
    threads, or None if the probe failed."""
    try:
        out = read_to_end(fd, timeout)
    finally:
        os.close(fd)
    try:
        counts = json.loads(out) if out is not None else None
    except ValueError:
        return None
    return counts if isinstance(counts, dict) else None


class Preloaded:
    """What the zygote imported, and the checks that make forking it safe."""

    def __init__(self, blas_fd: int, extra: tuple = (), defer_later: bool = False):
        started = time.perf_counter()
        self.later = list(LATER) if defer_later else []
        self.warnings, self.env_reads, self.rc_changed = [], [], []
        # The collector would walk the growing heap again and again while ~2,800 modules load
        # (~0.4 s of a 2.5 s preload); the one collect below, before the freeze, finds the same.
        gc.disable()
        try:
            self._import((*PRELOAD, *extra, *(() if defer_later else LATER)), supportstats=True)
        finally:
            gc.enable()
        self.blas = _read_probe(blas_fd)
        import threadpoolctl

        # made once here: building it costs a kernel ~0.1 s (it inspects every loaded library)
        self.threadpools = threadpoolctl.ThreadpoolController()
        self.seconds = time.perf_counter() - started
        self._settle()

    def load_later(self) -> str | None:
        """Import the next module of :data:`LATER` still to import; return its name (None: all done).

        One module a call, so that the zygote answers requests in between; after the last,
        the new objects are frozen and the new files watched, as after the preload.
        """
        if not self.later:
            return None
        name = self.later.pop(0)
        gc.disable()
        try:
            self._import((name,))
        finally:
            gc.enable()
        if not self.later:
            self._settle()
        return name

    def _settle(self) -> None:
        self.stamps = self._stamps()
        gc.collect()
        gc.freeze()  # kernels then do not touch (and copy) the zygote's pages when they collect

    def _import(self, names: tuple, supportstats: bool = False) -> None:
        with warnings.catch_warnings(record=True) as caught, EnvironReads() as reads:
            warnings.simplefilter("default")
            import matplotlib

            rc_before = dict(matplotlib.rcParams)
            for name in names:
                importlib.import_module(name)
            if supportstats:
                import supportstats as package

                for mod in package._MODULES:
                    if mod not in NOT_PRELOADED:
                        importlib.import_module(f"supportstats.{mod}")
                from matplotlib.backends import backend_registry

                # every kernel asks when ipykernel names the inline backend: matplotlib then reads
                # the backends' entry points of every installed package (~10 ms a kernel) and keeps
                # them; a package installed since restarts the zygote (_stamps)
                backend_registry.list_all()
        self.warnings += [f"{w.category.__name__}: {w.message} ({w.filename}:{w.lineno})" for w in caught]
        self.env_reads = sorted(set(self.env_reads) | reads.names)
        self.rc_changed = sorted(set(self.rc_changed) | {k for k, v in matplotlib.rcParams.items()
                                                         if k != "backend" and rc_before.get(k) != v})

    @staticmethod
    def _stamps() -> dict[str, tuple[int, int]]:
        """What to watch for changes: every preloaded source file outside the installed
        packages (this project, editable installs, PYTHONPATH), and the installed packages'
        folders themselves, whose mtime changes when a package is installed or upgraded.
        Checked before each fork, so it must be cheap (~100 stats, not 2,500)."""
        import site
        import sysconfig

        paths = sysconfig.get_paths()
        stdlib = tuple({os.path.join(paths[k], "") for k in ("stdlib", "platstdlib")})
        installed = {paths[k] for k in ("purelib", "platlib")} | set(site.getsitepackages())
        inside = tuple(os.path.join(p, "") for p in installed)
        watch = set(installed)
        for mod in list(sys.modules.values()):
            path = getattr(mod, "__file__", None)
            if path and not path.startswith(inside) and not path.startswith(stdlib):
                watch.add(path)
        stamps = {}
        for path in sorted(watch):
            try:
                st = os.stat(path)
            except OSError:
                continue
            stamps[path] = (st.st_mtime_ns, st.st_size)
        return stamps

    def changed_file(self) -> str | None:
        """The first preloaded source file that changed since it was imported, if any."""
        for path, stamp in self.stamps.items():
            try:
                st = os.stat(path)
            except OSError:
                return path
            if (st.st_mtime_ns, st.st_size) != stamp:
                return path
        return None

    def unsafe(self) -> str | None:
        """Why forking now would not give a clean kernel, or None."""
        threads = thread_count()
        if self.blas is None:
            return "no BLAS thread counts of a cold kernel (the probe beside the zygote failed)"
        if threads != 1:
            names = []
            for tid in os.listdir("/proc/self/task"):
                try:
                    names.append(open(f"/proc/self/task/{tid}/comm").read().strip())
                except OSError:
                    pass
            return f"{threads} threads in the zygote ({', '.join(names)})"
        if self.rc_changed:
            return f"preloading changed matplotlib rcParams: {', '.join(self.rc_changed[:5])}"
        loaded = [m for m in NEVER if m in sys.modules]
        if loaded:
            return f"preloading imported {loaded[0]}"
        zmq = sys.modules.get("zmq")
        if zmq is not None and getattr(zmq.Context, "_instance", None) is not None:
            return "preloading created a zmq context"
        return None


def read_to_end(fd: int, timeout: float) -> bytes | None:
    """Everything written to the pipe ``fd`` until its writer closes it; None after ``timeout`` seconds."""
    chunks, deadline = [], time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            return None
        chunk = os.read(fd, 65536)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
