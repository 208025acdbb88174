"""The requester's side: find or start the zygote for a command and environment, ask it for a kernel.

:func:`spawn` returns a :class:`ForkedProcess`, which answers ``poll``, ``wait``,
``send_signal``, ``kill`` and ``terminate`` as the ``Popen`` of a cold kernel would, so
jupyter_client's local provisioner code drives it unchanged. Anything the warm path
cannot do raises :class:`~supportstats.kernels.fingerprint.WarmUnavailable`; the caller
then starts the kernel the usual way.

Each process that asked for a kernel keeps one "user" connection to the zygote until it
exits, and one lease connection per kernel; the zygote watches both (see
:mod:`supportstats.kernels.zygote`), so nothing outlives the processes that use it.
"""
from __future__ import annotations

import fcntl
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import weakref
from pathlib import Path

from .fingerprint import WarmUnavailable, cold_requested, fingerprint, parse_command, runtime_dir, zygote_paths
from .stack import PROBE, THREAD_VARS, kernel_environment

__all__ = ["ForkedProcess", "spawn", "prestart", "preloading", "release", "zygotes", "stop_zygotes"]

_BOOT = "import sys; del sys.path[0]; from supportstats.kernels.zygote import main; main()"
_LOCK = threading.Lock()
_USERS: dict[str, socket.socket] = {}  # socket path -> this process's user connection
_PRELOADING: set[str] = set()  # prestarted zygotes that have not answered yet (still importing)
_STARTED: list[subprocess.Popen] = []  # zygotes this process started, reaped when they end
_PROBES: list[subprocess.Popen] = []  # their PROBE processes, reaped likewise
_LEASES: "weakref.WeakSet[ForkedProcess]" = weakref.WeakSet()
_REFUSED: dict[str, str] = {}  # zygote key -> why its zygote cannot serve (no second try here)
_RLIMITS = ("RLIMIT_NOFILE", "RLIMIT_STACK", "RLIMIT_AS", "RLIMIT_DATA", "RLIMIT_CORE", "RLIMIT_CPU",
            "RLIMIT_FSIZE", "RLIMIT_NPROC", "RLIMIT_MEMLOCK")


class ForkedProcess:
    """A kernel forked by a zygote, seen through its lease; the ``Popen`` methods a provisioner uses."""

    stdin = stdout = stderr = None

    def __init__(self, conn: socket.socket, pid: int):
        self.pid, self.returncode, self._conn = pid, None, conn
        _LEASES.add(self)

    def _read(self, timeout):
        if self._conn is None:
            return
        if timeout is not None and not select.select([self._conn], [], [], timeout)[0]:
            return
        try:
            data = self._conn.recv(4096)
        except OSError:
            data = b""
        try:
            self.returncode = int(json.loads(data)["exit"]) if data else -signal.SIGKILL
        except (ValueError, KeyError, TypeError):
            self.returncode = -signal.SIGKILL
        # no message: the zygote died, and its kernels with it (parent-death signal)
        self._conn.close()
        self._conn = None

    def poll(self):
        if self.returncode is None:
            self._read(timeout=0)
        return self.returncode

    def wait(self, timeout=None):
        if self.returncode is None:
            self._read(timeout=timeout)
            if self.returncode is None:
                raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout)
        return self.returncode

    def send_signal(self, sig):
        if self.poll() is None:
            os.kill(self.pid, sig)

    def kill(self):
        self.send_signal(signal.SIGKILL)

    def terminate(self):
        self.send_signal(signal.SIGTERM)

    def _forget(self):
        """In a forked copy of the requester: this kernel is not ours to watch."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None
            self.returncode = 0


def _after_fork_in_child():
    global _LOCK
    _LOCK = threading.Lock()  # another thread may have held it at the fork
    for conn in _USERS.values():
        conn.close()
    _USERS.clear()
    _PRELOADING.clear()
    _STARTED.clear()
    _PROBES.clear()
    for lease in list(_LEASES):
        lease._forget()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


# ----------------------------------------------------------------------------- protocol

def _connect(path: Path, timeout: float = 5.0) -> socket.socket:
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    conn.settimeout(timeout)
    try:
        conn.connect(str(path))
    except BaseException:
        conn.close()
        raise
    conn.settimeout(None)
    return conn


def _ask(conn: socket.socket, message: dict, fds=(), timeout: float = 120.0) -> dict | None:
    """Send one request; return the reply, or None when the zygote closed without one."""
    data = json.dumps(message).encode()
    try:
        if fds:
            socket.send_fds(conn, [data], list(fds))
        else:
            conn.sendall(data)
        if not select.select([conn], [], [], timeout)[0]:
            raise WarmUnavailable(f"no answer from the zygote in {timeout:g} s")
        reply = conn.recv(1 << 16)
    except (BrokenPipeError, ConnectionResetError):
        return None
    return json.loads(reply) if reply else None


#: A zygote gone this long (no socket, no pid file, log untouched) leaves its lock and log to be swept.
SWEEP_AFTER = 86400.0


def _sweep(folder: Path, keep: str, now: float | None = None) -> list[str]:
    """Remove the lock and log of zygotes gone for :data:`SWEEP_AFTER` seconds, and stale kernel sockets.

    Each environment a kernel was asked for has its own zygote files; without this, every
    distinct environment (each test's, each project's) left a pair behind for good.
    """
    now = time.time() if now is None else now
    removed = []
    for sock in folder.glob("k*-ipc-*"):  # a runner's kernel sockets, left by a worker killed outright
        try:
            if now - sock.lstat().st_mtime > SWEEP_AFTER:
                sock.unlink()
                removed.append(sock.name)
        except OSError:
            continue
    for log in folder.glob("z-*.log"):
        stem = log.name[:-len(".log")]
        if stem == keep or any((folder / f"{stem}.{ext}").exists() for ext in ("sock", "json")):
            continue
        try:
            if now - log.stat().st_mtime > SWEEP_AFTER:
                log.unlink()
                (folder / f"{stem}.lock").unlink(missing_ok=True)
                removed.append(stem)
        except OSError:
            continue
    return removed


def _start_zygote(paths: dict, key: str, python: str, options, env: dict, linger: float, idle: float,
                  defer_later: bool = False):
    """Bind the socket, then start the zygote on it (called with the lock held)."""
    _sweep(paths["sock"].parent, keep=f"z-{key}")
    for ext in ("sock", "json"):
        paths[ext].unlink(missing_ok=True)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    try:
        listener.bind(str(paths["sock"]))
        os.chmod(paths["sock"], 0o600)
        listener.listen(128)
        zenv = dict(env)
        zenv.update({var: "1" for var in THREAD_VARS})
        je = env.get("JE_ARROW_MALLOC_CONF")
        zenv["JE_ARROW_MALLOC_CONF"] = f"{je},background_thread:false" if je else "background_thread:false"
        zenv.pop("MPLBACKEND", None)
        zenv.pop("JPY_PARENT_PID", None)
        blas_r, blas_w = os.pipe()
        fds = (listener.fileno(), blas_r)
        cmd = [python, *options, "-c", _BOOT, "--fd", str(listener.fileno()), "--socket", str(paths["sock"]),
               "--key", key, "--linger", str(linger), "--idle", str(idle), "--blas-fd", str(blas_r),
               *(["--defer-later"] if defer_later else [])]
        with open(paths["log"], "ab") as log:
            try:
                proc = subprocess.Popen(cmd, env=zenv, cwd=str(paths["sock"].parent), stdin=subprocess.DEVNULL,
                                        stdout=log, stderr=log, pass_fds=fds, start_new_session=True)
                # the starter runs the probe: it has the requester's environment as is, where
                # the zygote has its own (thread variables set to 1) and would have to undo it
                _PROBES.append(subprocess.Popen([python, "-c", PROBE], env=dict(env), stdin=subprocess.DEVNULL,
                                                stdout=blas_w, stderr=log, cwd="/"))
            finally:
                os.close(blas_r)
                os.close(blas_w)
    finally:
        listener.close()
    _STARTED.append(proc)
    info = {"pid": proc.pid, "key": key, "python": python, "started": time.time(), "socket": str(paths["sock"]),
            "hash_seed": env.get("PYTHONHASHSEED"), "starter": os.getpid()}
    tmp = paths["json"].with_name(paths["json"].name + f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(info))
    os.replace(tmp, paths["json"])


def _zygote_connection(paths, key, python, options, env, linger, idle, defer_later=False) -> socket.socket:
    try:
        return _connect(paths["sock"])
    except (FileNotFoundError, ConnectionRefusedError):
        pass
    with open(paths["lock"], "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            return _connect(paths["sock"])  # another requester started it meanwhile
        except (FileNotFoundError, ConnectionRefusedError):
            _start_zygote(paths, key, python, options, env, linger, idle, defer_later)
            return _connect(paths["sock"])


def _reap_started():
    for started in (_STARTED, _PROBES):
        for proc in list(started):
            if proc.poll() is not None:
                started.remove(proc)


def _umask() -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except OSError:
        pass
    return None  # the kernel keeps the zygote's, which is its starter's


def _rlimits() -> dict:
    import resource

    return {name: resource.getrlimit(getattr(resource, name)) for name in _RLIMITS if hasattr(resource, name)}


def _ignored_signals() -> list[int]:
    ignored = []
    for sig in signal.valid_signals():
        try:
            if signal.getsignal(sig) == signal.SIG_IGN:
                ignored.append(int(sig))
        except (ValueError, OSError):
            pass
    return ignored


def _stdio_fds(stdin, stdout, stderr) -> tuple[list[int], list[int]]:
    """The three descriptors to hand over, and those opened here (to close after sending)."""
    opened, fds = [], []
    for default, value in ((None, stdin), (1, stdout), (2, stderr)):
        if value is None and default is not None:
            fds.append(default)
        elif value is None or value == subprocess.DEVNULL:
            fd = os.open(os.devnull, os.O_RDWR)
            opened.append(fd)
            fds.append(fd)
        elif isinstance(value, int) and value >= 0:
            fds.append(value)
        elif hasattr(value, "fileno"):
            fds.append(value.fileno())
        else:
            raise WarmUnavailable(f"cannot hand {value!r} to a forked kernel as its stdio")
    return fds, opened


def spawn(cmd, *, env: dict, cwd=None, stdin=None, stdout=None, stderr=None, kernel_id=None,
          linger: float = 10.0, idle: float = 600.0, timeout: float = 120.0) -> ForkedProcess:
    """Fork a kernel for ``cmd`` from the zygote that matches ``env``, starting it if needed.

    Parameters
    ----------
    cmd : list of str
        ``[python, *options, "-m", "ipykernel_launcher", *args]``, as a kernelspec gives it.
    env : dict
        The kernel's whole environment (the provisioner's ``pre_launch`` builds it).
    cwd : path-like, optional
        The kernel's working directory (default: this process's).
    stdin, stdout, stderr : optional
        As for ``Popen``: None (stdin: /dev/null; stdout and stderr: this process's),
        ``subprocess.DEVNULL``, a descriptor or a file object.
    linger, idle : float
        For a zygote started here: seconds it stays after its last user, and without kernels.
    timeout : float
        Seconds to wait for the zygote (it imports the stack when it starts).

    Raises
    ------
    WarmUnavailable
        When this request cannot be served warm; start the kernel cold instead.
    """
    if not sys.platform.startswith("linux"):
        raise WarmUnavailable("forked kernels need Linux (parent-death signal, SEQPACKET sockets)")
    python, options, args = parse_command(cmd)
    env = {str(k): str(v) for k, v in env.items()}
    key = fingerprint(python, options, env)
    if key in _REFUSED:
        raise WarmUnavailable(_REFUSED[key])
    paths = zygote_paths(runtime_dir(env), key)
    cwd = os.path.abspath(os.fspath(cwd)) if cwd is not None else os.getcwd()
    request = {"op": "spawn", "argv": list(cmd), "args": args, "env": env, "cwd": cwd, "kernel_id": kernel_id,
               "umask": _umask(), "rlimits": _rlimits(), "ignored_signals": _ignored_signals()}
    fds, opened = _stdio_fds(stdin, stdout, stderr)
    try:
        with _LOCK:
            _reap_started()
            for attempt in range(2):
                try:
                    conn = _zygote_connection(paths, key, python, options, env, linger, idle)
                except OSError as exc:
                    raise WarmUnavailable(f"cannot reach or start the zygote: {exc}") from None
                try:
                    reply = _ask(conn, request, fds, timeout=timeout)
                except BaseException:
                    conn.close()
                    raise
                _reap_started()  # a zygote that answers has read its probe: the probe has ended
                if reply and reply.get("ok"):
                    _ensure_user(paths["sock"])
                    return ForkedProcess(conn, int(reply["pid"]))
                conn.close()
                if reply is not None and not reply.get("retry"):
                    raise WarmUnavailable(reply.get("error", "refused"))
                if attempt:  # no second restart in a row: it would fail the same way
                    _REFUSED[key] = _why_gone(paths, reply)
                    raise WarmUnavailable(_REFUSED[key])
    finally:
        for fd in opened:
            os.close(fd)
    raise AssertionError("unreachable")


def prestart(kernel_name: str = "supportstats", env=None, *, linger: float = 10.0, idle: float = 600.0,
             defer_later: bool = False) -> bool:
    """Start the zygote that kernels of ``kernel_name`` started with ``env`` will use; do not wait.

    A runner can call this first thing, so that the zygote imports the stack while the
    runner itself starts up; this process then counts as a user of the zygote until it
    exits. ``env`` must be the environment the kernels will be started with (default:
    this process's), or a different zygote is started. Returns False when the kernelspec
    does not use the warm provisioner, ``env`` asks for cold kernels
    (``SUPPORTSTATS_KERNELS=cold``) or the warm path is unavailable.

    ``defer_later``: this process's kernels need none of :data:`.stack.LATER`; a zygote
    started here imports those only once no such user is connected and no kernel has been
    asked for in a while, so that they cost none of a run's time.

    Examples
    --------
    >>> prestart("python3")  # a plain kernelspec: nothing to start
    False
    """
    from .spec import PROVISIONER, find_kernelspec

    try:
        spec = find_kernelspec(kernel_name)
    except (OSError, ValueError):  # unreadable: the kernels' own start says what is wrong
        return False
    if spec is None or (spec.get("metadata") or {}).get("kernel_provisioner", {}).get("provisioner_name") != PROVISIONER:
        return False
    cmd = list(spec.get("argv") or [])
    if cmd and cmd[0] in ("python", f"python{sys.version_info[0]}", "python%d.%d" % sys.version_info[:2]):
        cmd[0] = sys.executable  # as jupyter_client's format_kernel_cmd does
    env = {str(k): str(v) for k, v in (os.environ if env is None else env).items()}
    env.update({str(k): str(v) for k, v in (spec.get("env") or {}).items()})
    env = kernel_environment(env)  # as the provisioner finalizes its kernels' environment
    if cold_requested(env):
        return False  # its kernels will start cold: a zygote would import the stack for nothing
    try:
        python, options, _ = parse_command(cmd)
        key = fingerprint(python, options, env)
        paths = zygote_paths(runtime_dir(env), key)
        with _LOCK:
            _reap_started()
            conn = _zygote_connection(paths, key, python, options, env, linger, idle, defer_later)
            conn.setblocking(True)
            # the reply comes once it has preloaded; a running zygote lingers at least this long
            conn.sendall(json.dumps({"op": "user", "linger": linger, "defer_later": defer_later}).encode())
            old = _USERS.pop(str(paths["sock"]), None)
            if old is not None:
                old.close()
            _USERS[str(paths["sock"])] = conn
            _PRELOADING.add(str(paths["sock"]))
    except (OSError, WarmUnavailable):
        return False
    return True


def preloading() -> bool:
    """Whether a zygote this process prestarted is still importing the stack.

    It answers :func:`prestart`'s request once it has preloaded (or closes the connection
    if it failed), so nothing readable yet means it is still importing: the time a runner
    can use its own core for work of its own, no kernel being able to start.
    """
    with _LOCK:
        _reap_started()
        for path in list(_PRELOADING):
            conn = _USERS.get(path)
            try:
                if conn is not None and not select.select([conn], [], [], 0)[0]:
                    return True
            except (OSError, ValueError):
                pass
            _PRELOADING.discard(path)
    return False


def release() -> None:
    """Close every user connection this process holds (from :func:`prestart` or a kernel it
    started): each zygote then ends once it has no other user, after its linger time."""
    with _LOCK:
        _reap_started()
        for conn in _USERS.values():
            conn.close()
        _USERS.clear()
        _PRELOADING.clear()


def _why_gone(paths, reply) -> str:
    if reply is not None:
        return reply.get("error", "refused")
    try:
        tail = paths["log"].read_text(errors="replace").strip().splitlines()[-1:]
    except OSError:
        tail = []
    return "the zygote exited before answering" + (f" ({tail[0]}; log {paths['log']})" if tail else "")


def _ensure_user(path: Path):
    """Hold one connection per zygote for as long as this process lives."""
    _PRELOADING.discard(str(path))  # it has forked a kernel: its imports are done (and its reply read below)
    conn = _USERS.get(str(path))
    if conn is not None:
        if _still_open(conn):
            return
        conn.close()  # that zygote ended; this is a new one
    try:
        conn = _connect(path)
        if (_ask(conn, {"op": "user"}, timeout=10) or {}).get("ok"):
            _USERS[str(path)] = conn
        else:
            conn.close()
    except (OSError, WarmUnavailable):
        pass  # only keeps the zygote around between kernels; the kernel itself is fine


def _still_open(conn: socket.socket) -> bool:
    """Whether the zygote still holds this connection (a late reply to "user" is read and dropped)."""
    try:
        while select.select([conn], [], [], 0)[0]:
            if not conn.recv(1 << 16):
                return False
        return True
    except OSError:
        return False


# -------------------------------------------------------------------------- management

def zygotes(env=None) -> list[dict]:
    """Every zygote of this user whose socket answers, with its status (pid, kernels, ...).

    Examples
    --------
    >>> isinstance(zygotes(), list)
    True
    """
    out = []
    folder = runtime_dir(env)
    for sock in sorted(folder.glob("z-*.sock")):
        try:
            conn = _connect(sock, timeout=2)
        except OSError:
            continue
        try:
            status = _ask(conn, {"op": "status"}, timeout=10)
        except (OSError, WarmUnavailable):
            status = None
        finally:
            conn.close()
        if status:
            status["socket"] = str(sock)
            out.append(status)
    return out


def stop_zygotes(env=None, timeout: float = 10.0) -> list[int]:
    """Stop every zygote of this user (and so its kernels); return their pids.

    A zygote whose socket does not answer but whose pid file names a live zygote process
    is sent SIGTERM.
    """
    stopped = []
    folder = runtime_dir(env)
    for sock in sorted(folder.glob("z-*.sock")):
        try:
            conn = _connect(sock, timeout=2)
            reply = _ask(conn, {"op": "stop"}, timeout=10)
            conn.close()
            if reply and reply.get("ok"):
                stopped.append(int(reply["pid"]))
        except (OSError, WarmUnavailable):
            pass
    for pidfile in folder.glob("z-*.json"):
        try:
            pid = int(json.loads(pidfile.read_text())["pid"])
        except (OSError, ValueError, KeyError):
            continue
        if pid not in stopped and _is_zygote(pid):
            os.kill(pid, signal.SIGTERM)
            stopped.append(pid)
    deadline = time.monotonic() + timeout
    while any(_alive(pid) for pid in stopped) and time.monotonic() < deadline:
        time.sleep(0.05)
    return stopped


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _is_zygote(pid: int) -> bool:
    try:
        return b"supportstats.kernels.zygote" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
