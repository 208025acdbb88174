"""Which zygote may serve a kernel request: what a Python process fixes when it starts.

A forked kernel inherits everything its zygote did before the fork: the interpreter and
its options, the hash seed, ``sys.path`` (``PYTHONPATH``, the user site under ``HOME``),
the locale, and whatever the preloaded modules read from the environment while importing
(``SUPPORTSTATS_ROOT`` in :mod:`supportstats.paths`, ``MPLCONFIGDIR`` in matplotlib,
``PANDAS_*``, ``OPENBLAS_*`` when BLAS loads, ...; the zygote records the Python-level
reads and a test checks each is covered). So the whole environment is part of a zygote's
fingerprint, except variables that are set per kernel or per process and read later
(``JPY_*``, ``PYTEST_*``, ``PWD``); those are applied in the kernel after the
fork, and ``MPLBACKEND``, ``JPY_PARENT_PID`` and ``PYDEVD_DISABLE_FILE_VALIDATION``, which
are read at import, are re-applied there (:mod:`.child`). A forked kernel is then what a cold one started with the same
command, environment and CPU set would be once it had imported the stack.
"""
from __future__ import annotations

import hashlib
import json
import os
import stat
import tempfile
from pathlib import Path

from ..errors import SupportstatsError

__all__ = ["WarmUnavailable", "PROTOCOL", "cold_requested", "parse_command", "per_kernel", "key_environment",
           "fingerprint", "runtime_dir", "zygote_paths"]

#: Bumped whenever client and zygote stop understanding each other's messages.
PROTOCOL = 1

# Set per kernel or per process and not read while the stack imports, or re-applied in the
# kernel (MPLBACKEND, JPY_PARENT_PID), or steering the warm machinery itself.
_PER_KERNEL_PREFIXES = ("JPY_", "PYTEST_")
_PER_KERNEL_NAMES = ("PWD", "OLDPWD", "SHLVL", "_", "MPLBACKEND", "PYTHONEXECUTABLE", "COLUMNS", "LINES",
                     "SUPPORTSTATS_START_METHOD", "SUPPORTSTATS_KERNELS", "SUPPORTSTATS_KERNELS_DIR",
                     "SUPPORTSTATS_KERNELS_LINGER",
                     # where a run writes: read when a notebook resolves an output path, never at import
                     "SUPPORTSTATS_OUTPUT_ROOT",
                     # a run's temporary folder: the forked kernel resets tempfile's cached choice
                     "TMPDIR", "TEMP", "TMP",
                     # a run's connection files: read when the kernel app starts, after the fork
                     "JUPYTER_RUNTIME_DIR",
                     # debugpy reads it at import, only to quiet a warning then; re-applied. The
                     # papermill CLI sets it, JupyterLab and nbval do not: one zygote serves all three
                     "PYDEVD_DISABLE_FILE_VALIDATION")
# Interpreter options a zygote can be started with, as the kernel would have been.
_FLAG_OPTIONS = {"-B", "-E", "-I", "-O", "-OO", "-P", "-R", "-s", "-S", "-u", "-b", "-bb", "-q", "-d", "-v"}
_VALUE_OPTIONS = {"-X", "-W"}


class WarmUnavailable(SupportstatsError, RuntimeError):
    """The warm path cannot serve this request; the caller starts the kernel the usual way."""


def cold_requested(env) -> bool:
    """Whether ``env`` asks for plain kernels only (``SUPPORTSTATS_KERNELS=cold``).

    Examples
    --------
    >>> cold_requested({"SUPPORTSTATS_KERNELS": "Cold"}), cold_requested({})
    (True, False)
    """
    return (env.get("SUPPORTSTATS_KERNELS") or "").lower() == "cold"


def parse_command(cmd) -> tuple[str, list[str], list[str]]:
    """Split ``[python, *options, -m, ipykernel_launcher, *args]`` into its parts.

    Returns
    -------
    python : str
    options : list of str
        Interpreter options before ``-m`` (e.g. ``["-X", "frozen_modules=off"]``).
    args : list of str
        The launcher's arguments (``["-f", "/path/kernel-1.json"]``).

    Raises
    ------
    WarmUnavailable
        For any other command: only ipykernel's launcher can be forked.

    Examples
    --------
    >>> parse_command(["/venv/bin/python", "-X", "frozen_modules=off", "-m", "ipykernel_launcher", "-f", "k.json"])
    ('/venv/bin/python', ['-X', 'frozen_modules=off'], ['-f', 'k.json'])
    >>> parse_command(["R", "--slave"])
    Traceback (most recent call last):
    supportstats.kernels.fingerprint.WarmUnavailable: not a python -m ipykernel_launcher command: R --slave
    """
    cmd = [str(c) for c in cmd]
    options, i = [], 1
    while i < len(cmd) and cmd[i] != "-m":
        if cmd[i] in _FLAG_OPTIONS:
            options.append(cmd[i])
        elif cmd[i] in _VALUE_OPTIONS and i + 1 < len(cmd):
            options += cmd[i:i + 2]
            i += 1
        else:
            break
        i += 1
    if len(cmd) < 3 or i + 1 >= len(cmd) or cmd[i] != "-m" or cmd[i + 1] != "ipykernel_launcher" \
            or not os.path.isabs(cmd[0]) or "python" not in os.path.basename(cmd[0]):
        raise WarmUnavailable(f"not a python -m ipykernel_launcher command: {' '.join(cmd)}")
    return cmd[0], options, cmd[i + 2:]


def per_kernel(name: str) -> bool:
    """Whether a variable may differ between kernels of one zygote.

    Examples
    --------
    >>> per_kernel("JPY_SESSION_NAME"), per_kernel("PYTHONHASHSEED"), per_kernel("SUPPORTSTATS_ROOT")
    (True, False, False)
    """
    return name in _PER_KERNEL_NAMES or name.startswith(_PER_KERNEL_PREFIXES)


def key_environment(env) -> dict[str, str]:
    """The part of ``env`` a started interpreter and its imports may fix (see the module doc).

    Examples
    --------
    >>> key_environment({"PYTHONHASHSEED": "0", "JPY_SESSION_NAME": "a", "MPLBACKEND": "agg", "HOME": "/root"})
    {'HOME': '/root', 'PYTHONHASHSEED': '0'}
    """
    return {k: env[k] for k in sorted(env) if not per_kernel(k)}


def fingerprint(python: str, options, env) -> str:
    """A short hex digest naming the zygote that may serve this command and environment.

    The CPU set is part of it because BLAS sizes its thread pool from it.

    Examples
    --------
    >>> a = fingerprint("/venv/bin/python", [], {"PYTHONHASHSEED": "0", "JPY_SESSION_NAME": "a"})
    >>> a == fingerprint("/venv/bin/python", [], {"PYTHONHASHSEED": "0", "JPY_SESSION_NAME": "b"})
    True
    >>> a == fingerprint("/venv/bin/python", [], {"PYTHONHASHSEED": "1", "JPY_SESSION_NAME": "a"})
    False
    """
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else [os.cpu_count()]
    blob = json.dumps({"protocol": PROTOCOL, "python": python, "options": list(options), "cpus": cpus,
                       "uid": os.getuid(), "env": key_environment(env)}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:20]


def runtime_dir(env=None) -> Path:
    """The private folder holding each zygote's socket, pid file, lock and log.

    ``SUPPORTSTATS_KERNELS_DIR`` if set, else ``$XDG_RUNTIME_DIR/supportstats-kernels``,
    else ``<tmp>/supportstats-kernels-<uid>``. Created mode 0700; refused when another
    user owns it or others may write to it (anyone who can connect could ask for a kernel).
    """
    env = os.environ if env is None else env
    if env.get("SUPPORTSTATS_KERNELS_DIR"):
        path = Path(env["SUPPORTSTATS_KERNELS_DIR"])
    elif env.get("XDG_RUNTIME_DIR") and os.path.isdir(env["XDG_RUNTIME_DIR"]):
        path = Path(env["XDG_RUNTIME_DIR"]) / "supportstats-kernels"
    else:
        # the system's /tmp, not TMPDIR: a runner points each run's TMPDIR into its own staging
        # folder (too deep for a socket path, and gone after the run), while the zygote outlives it
        base = Path("/tmp") if os.path.isdir("/tmp") else Path(tempfile.gettempdir())
        path = base / f"supportstats-kernels-{os.getuid()}"
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = path.lstat()
    except OSError as exc:
        raise WarmUnavailable(f"no runtime folder {path}: {exc}") from None
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise WarmUnavailable(f"runtime folder {path} must be a folder of this user, mode 0700")
    return path


def zygote_paths(folder: Path, key: str) -> dict[str, Path]:
    """Socket, pid file (JSON), lock and log of the zygote ``key`` in ``folder``."""
    base = folder / f"z-{key}"
    paths = {ext: base.with_name(base.name + "." + ext) for ext in ("sock", "json", "lock", "log")}
    if len(os.fsencode(paths["sock"])) > 100:  # sun_path holds 108 bytes
        raise WarmUnavailable(f"runtime folder path too long for a socket: {folder}")
    return paths
