"""What a process forked from the zygote does to become the kernel a cold start would give.

A cold kernel is ``Popen([python, -m, ipykernel_launcher, -f, conn.json], env=..., cwd=...,
start_new_session=True)``. The forked one gets, in order:

* its own session and process group (interrupts go to the group), and a parent-death
  signal, so it dies with the zygote (which kills it when its requester goes away);
* the requester's signal dispositions as an exec would leave them (handlers reset,
  ignored signals kept, SIGINT/SIGPIPE/SIGXFSZ as Python sets them at start), an empty mask;
* the requester's stdin/stdout/stderr, working directory, environment, umask and rlimits;
* ``sys.path[0]`` as ``-m`` sets it, fresh import caches, ``tempfile`` forgetting the
  zygote's temp folder, new random state (numpy's global RandomState; ``random`` reseeds
  itself at fork), a new multiprocessing auth key;
* the BLAS thread counts a cold kernel would have had (measured by the probe beside the zygote);
* ipykernel's ``JPY_PARENT_PID`` trait default (read when ipykernel was imported);
* matplotlib's backend from ``MPLBACKEND`` as matplotlib reads it on import, applied
  right after ipykernel has chosen it and before the shell's pylab set-up;
* debugpy's ``PYDEVD_DISABLE_FILE_VALIDATION`` flag (read when pydevd was imported);

then it runs ``ipykernel_launcher`` as ``__main__`` with the kernel's arguments, and ends
as Python's exit would, without tearing down the modules it shares with the zygote.
"""
from __future__ import annotations

import ctypes
import os
import signal
import sys

from ..quick_exit import exit_now

__all__ = ["become_kernel", "run_kernel"]

_PR_SET_PDEATHSIG = 1


def become_kernel(request: dict, fds, ready_w: int, blas) -> None:
    """Set this freshly forked process up as the requested kernel; report on ``ready_w``.

    On any failure, the reason is written to ``ready_w`` and the process exits at once.
    """
    zygote = os.getppid()
    try:
        os.setsid()
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
        if os.getppid() != zygote:  # the zygote died before the signal was armed
            os._exit(1)
        _signals(request.get("ignored_signals", []))
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
        for fd in fds:
            if fd > 2:
                os.close(fd)
        cwd = request["cwd"]
        os.chdir(cwd)
        if request.get("umask") is not None:
            os.umask(request["umask"])
        _rlimits(request.get("rlimits", {}))
        os.environ.clear()
        os.environ.update(request["env"])
        _fresh_interpreter_state(cwd)
        _blas_threads(blas)
        _kernelapp_defaults()
        _follow_mplbackend()
        _pydevd_flags()
    except BaseException as exc:  # noqa: BLE001  (report anything, then vanish)
        os.write(ready_w, f"{type(exc).__name__}: {exc}".encode())
        os._exit(1)
    os.write(ready_w, b"ok")
    os.close(ready_w)


def run_kernel(request: dict) -> None:
    """Run ipykernel's launcher as ``python -m ipykernel_launcher ARGS`` would."""
    import runpy

    sys.argv = ["ipykernel_launcher", *request["args"]]
    sys.orig_argv = list(request["argv"])
    # Python's finalization would free every object of the ~2,900 modules inherited from the
    # zygote, writing to (and so copying) most of the heap: ~0.12 CPU-s a kernel, for nothing
    try:
        runpy.run_module("ipykernel_launcher", run_name="__main__", alter_sys=True)
    except SystemExit as stop:
        exit_now(stop.code)
    exit_now(0)


def _signals(ignored) -> None:
    signal.set_wakeup_fd(-1)
    ignored = set(ignored)
    for sig in signal.valid_signals():
        if sig in (signal.SIGKILL, signal.SIGSTOP):
            continue
        try:
            signal.signal(sig, signal.SIG_IGN if int(sig) in ignored else signal.SIG_DFL)
        except (OSError, ValueError):
            pass  # signals reserved by the C library
    if int(signal.SIGINT) not in ignored:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    for sig in (signal.SIGPIPE, signal.SIGXFSZ):  # as Python sets them at start-up
        signal.signal(sig, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_SETMASK, [])


def _rlimits(limits: dict) -> None:
    import resource

    for name, (soft, hard) in limits.items():
        which = getattr(resource, name, None)
        if which is None or resource.getrlimit(which) == (soft, hard):
            continue
        try:
            resource.setrlimit(which, (soft, hard))
        except (OSError, ValueError):
            pass  # a hard limit above the zygote's cannot be raised; the zygote's stays


def _fresh_interpreter_state(cwd: str) -> None:
    import importlib
    import tempfile

    if not sys.flags.safe_path:
        sys.path.insert(0, cwd)  # what "python -m" puts first; the launcher takes it out again
    importlib.invalidate_caches()
    tempfile.tempdir = None
    if "numpy.random" in sys.modules:
        sys.modules["numpy.random"].seed()
    if "multiprocessing.process" in sys.modules:
        sys.modules["multiprocessing.process"].current_process().authkey = os.urandom(32)


def _blas_threads(blas) -> None:
    """``blas``: the zygote's threadpoolctl controller, and the counts a cold kernel has."""
    controller, wanted_by_path = blas
    for lib in controller.lib_controllers:
        wanted = wanted_by_path.get(lib.filepath)
        if wanted is not None and lib.num_threads != wanted:
            lib.set_num_threads(wanted)


def _kernelapp_defaults() -> None:
    """ipykernel reads ``JPY_PARENT_PID`` into a trait default when imported (by the zygote)."""
    from ipykernel.kernelapp import IPKernelApp

    for name, var in (("parent_handle", "JPY_PARENT_PID"), ("interrupt", "JPY_INTERRUPT_EVENT")):
        trait = IPKernelApp.class_traits().get(name)
        if trait is None:
            continue
        value = int(os.environ.get(var) or 0)
        trait.default_value = value
        statics = getattr(IPKernelApp, "_static_immutable_initial_values", None)
        if isinstance(statics, dict) and name in statics:
            statics[name] = value


def _pydevd_flags() -> None:
    """debugpy's pydevd reads ``PYDEVD_DISABLE_FILE_VALIDATION`` into a constant when imported
    (by the zygote); set it as this kernel's environment would have."""
    constants = sys.modules.get("_pydevd_bundle.pydevd_constants")
    if constants is None:
        return
    value = constants.is_true_in_env("PYDEVD_DISABLE_FILE_VALIDATION")
    for mod in (constants, sys.modules.get("pydevd_file_utils")):
        if mod is not None and hasattr(mod, "DISABLE_FILE_VALIDATION"):
            mod.DISABLE_FILE_VALIDATION = value


def _follow_mplbackend() -> None:
    """Apply ``MPLBACKEND`` once ipykernel has set it, as matplotlib does when imported.

    ipykernel's ``init_gui_pylab`` sets ``MPLBACKEND`` (the inline backend) and then calls
    IPython's ``InteractiveShellApp.init_gui_pylab``; the zygote imported matplotlib
    before either, so the value is applied at that call.
    """
    if "matplotlib" not in sys.modules:
        return
    from IPython.core.shellapp import InteractiveShellApp

    base = InteractiveShellApp.init_gui_pylab

    def init_gui_pylab(self):
        backend = os.environ.get("MPLBACKEND")
        if backend:
            sys.modules["matplotlib"].rcParams["backend"] = backend
        return base(self)

    InteractiveShellApp.init_gui_pylab = init_gui_pylab
