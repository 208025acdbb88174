"""The zygote: one process that has imported the stack, and forks a fresh kernel per request.

Started by :mod:`supportstats.kernels.client` on first use, with the requester's
environment except for what must hold before anything is imported:

* every BLAS/OpenMP thread count is 1 and pyarrow's jemalloc keeps no background thread,
  so the process is single-threaded when it forks (a thread pool's locks would be copied
  held, and its threads not at all: the classic fork deadlock). The counts a cold kernel
  would have are measured once by a small probe process the starter runs with the
  original environment (:data:`.stack.PROBE`), and set in each kernel after the fork
  (threadpoolctl); without them the zygote refuses to fork (its kernels would keep one
  thread, and could sum differently from a cold kernel);
* ``MPLBACKEND`` is unset; the kernel applies its own after ipykernel has chosen it.

It imports the stack (:mod:`.stack`) and nothing of any notebook: no user state, no open
socket but its own, no zmq context, no matplotlib setting (modules that change rcParams when imported,
``supportstats.plots``, are left to the kernel, so they act when a cold kernel's would).
A zygote a runner starts (``--defer-later``) leaves :data:`.stack.LATER` (statsmodels.api:
no notebook of the package imports it) until no such runner is connected and no kernel
has been asked for in 0.5 s. Then it serves requests on a Unix socket (SOCK_SEQPACKET, this user only). A request
carries the kernel command, environment, working directory and the requester's stdio
descriptors; the zygote forks, the child becomes the kernel (:mod:`.child`), and the
request's connection stays open as a lease: the zygote reports the kernel's exit status
on it, and kills the kernel's process group when the requester goes away first.

Lifetime: the zygote lives while any connection is open (each requesting process holds
one "user" connection until it exits) or any kernel it forked lives; then it lingers
``--linger`` seconds (10 by default, so the next run of a loop finds it; a user may ask
for longer, as ``supportstats reproduce`` does so that the next run finds it) and exits.
It also exits after ``--idle`` seconds without kernels, when a preloaded source file
changes (the next request gets a new zygote), and on SIGTERM or a ``stop`` request
(``supportstats kernels --stop``), killing its kernels.
Kernels die with it (parent-death signal).
"""
from __future__ import annotations

import argparse
import json
import os
import selectors
import signal
import socket
import sys
import time
import traceback

from .stack import NEVER, Preloaded, read_to_end, thread_count

__all__ = ["main"]

_MAX_MESSAGE = 1 << 20
# seconds without a kernel request before a deferred module of .stack.LATER is imported
_LATER_AFTER = 0.5


def _log(*parts):
    print(time.strftime("%H:%M:%S"), f"[zygote {os.getpid()}]", *parts, file=sys.stderr, flush=True)


def _open_fds() -> dict[int, str]:
    fds = {}
    for name in os.listdir("/proc/self/fd"):
        try:
            fds[int(name)] = os.readlink(f"/proc/self/fd/{name}")
        except OSError:
            pass  # the listing's own descriptor, already closed
    return fds


# ------------------------------------------------------------------------------- server

class Zygote:
    def __init__(self, listener: socket.socket, args, preloaded: Preloaded):
        self.listener, self.args, self.pre = listener, args, preloaded
        self.sel = selectors.DefaultSelector()
        self.wake_r, self.wake_w = socket.socketpair()
        for s in (self.wake_r, self.wake_w, listener):
            s.setblocking(False)
        self.conns: dict[socket.socket, str] = {}  # -> "new", "user", "lease"
        self.kernels: dict[int, socket.socket] = {}  # pid -> its lease
        self.started = time.time()
        self.last_kernel = self.last_busy = self.last_spawn = time.monotonic()
        self.deferring: set[socket.socket] = set()  # users that asked for .stack.LATER to wait
        self.stopping = self.draining = False
        self.stop_reason = ""
        self.sel.register(listener, selectors.EVENT_READ, "listener")
        self.sel.register(self.wake_r, selectors.EVENT_READ, "wake")

    # signals wake the loop through a socket, so nothing runs inside a handler
    def install_signals(self):
        signal.set_wakeup_fd(self.wake_w.fileno(), warn_on_full_buffer=False)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, self._on_stop)

    def _on_stop(self, signum, _frame):
        self.stopping = True
        self.stop_reason = signal.Signals(signum).name

    def serve(self):
        """Run until it is time to exit (returns None), or return a child's request in a fork."""
        while True:
            events = self.sel.select(timeout=0.1 if self.pre.later else 0.5)
            for key, _ in events:
                if key.data == "listener":
                    self._accept()
                elif key.data == "wake":
                    try:
                        self.wake_r.recv(4096)
                    except BlockingIOError:
                        pass
                else:
                    child = self._readable(key.fileobj)
                    if child is not None:
                        return child
            self._reap()
            if self._time_to_go():
                self._shutdown()
                return None
            if not events and self._may_load_later():
                self._load_later()

    def _load_later(self):
        """Import the next deferred module; one that fails is left to the kernels, as in a cold start."""
        started = time.perf_counter()
        try:
            name = self.pre.load_later()
        except Exception:  # noqa: BLE001  (its kernels, some maybe a researcher's, live on)
            _log("a deferred import failed; kernels import it themselves:\n" + traceback.format_exc())
            self.pre.later.clear()
            return
        _log(f"imported {name} ({1000 * (time.perf_counter() - started):.0f} ms)"
             + ("" if self.pre.later else f": {len(sys.modules)} modules"))

    def _may_load_later(self) -> bool:
        """A deferred module may load: no runner waits for it not to, and no kernel was asked for lately."""
        return bool(self.pre.later) and not self.deferring and not (self.stopping or self.draining) \
            and time.monotonic() - self.last_spawn >= _LATER_AFTER

    def _accept(self):
        while True:
            try:
                conn, _ = self.listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12)
            if int.from_bytes(creds[4:8], sys.byteorder) != os.getuid():
                conn.close()  # the folder is private; this is belt and braces
                continue
            self.conns[conn] = "new"
            self.sel.register(conn, selectors.EVENT_READ, "conn")
            self.last_busy = time.monotonic()

    def _drop(self, conn):
        self.sel.unregister(conn)
        self.conns.pop(conn, None)
        self.deferring.discard(conn)
        conn.close()

    def _readable(self, conn):
        self.last_busy = time.monotonic()
        try:
            data, fds, flags, _ = socket.recv_fds(conn, _MAX_MESSAGE, 3)
        except OSError:
            data, fds, flags = b"", [], 0
        kind = self.conns.get(conn)
        if not data:  # the requester went away
            for fd in fds:
                os.close(fd)
            for pid, lease in list(self.kernels.items()):
                if lease is conn:
                    _log(f"requester of kernel {pid} went away: killing it")
                    _kill_group(pid, signal.SIGKILL)
                    self.kernels[pid] = None
            self._drop(conn)
            return None
        if kind != "new":  # users and leases say nothing after their first message
            for fd in fds:
                os.close(fd)
            return None
        if flags & socket.MSG_TRUNC:
            return self._refuse(conn, fds, "request too large")
        try:
            request = json.loads(data)
            op = request["op"]
        except (ValueError, KeyError, TypeError):
            op, request = "bad", {}
        if op == "spawn":
            return self._spawn(conn, request, fds)
        for fd in fds:
            os.close(fd)
        if op == "user":
            self.conns[conn] = "user"
            if request.get("defer_later"):  # a runner: its notebooks import none of it
                self.deferring.add(conn)
            try:  # a runner asks for a longer linger, so that its next run finds this zygote
                self.args.linger = max(self.args.linger, min(float(request.get("linger") or 0), self.args.idle))
            except (TypeError, ValueError):
                pass
            _send(conn, {"ok": True, "pid": os.getpid()})
        elif op == "status":
            _send(conn, self.status())
            self._drop(conn)
        elif op == "stop":
            _send(conn, {"ok": True, "pid": os.getpid()})
            self._drop(conn)
            self.stopping, self.stop_reason = True, "stop request"
        else:
            _send(conn, {"ok": False, "error": f"unknown request {op!r}"})
            self._drop(conn)
        return None

    def _refuse(self, conn, fds, error, retry=False):
        for fd in fds:
            os.close(fd)
        _send(conn, {"ok": False, "error": error, "retry": retry})
        self._drop(conn)
        return None

    def _spawn(self, conn, request, fds):
        if len(fds) != 3:
            return self._refuse(conn, fds, "a spawn request carries stdin, stdout and stderr")
        started = time.perf_counter()
        self.last_spawn = time.monotonic()
        if self.draining or self.stopping:
            return self._refuse(conn, fds, "zygote is stopping", retry=True)
        changed = self.pre.changed_file()
        if changed:
            _log(f"{changed} changed since it was imported: no more kernels from this zygote")
            self._start_draining()
            return self._refuse(conn, fds, f"stale: {changed} changed", retry=True)
        why = self.pre.unsafe()
        if why:
            return self._refuse(conn, fds, why)
        cwd = request.get("cwd") or "/"
        if not os.path.isdir(cwd):
            return self._refuse(conn, fds, f"no such folder: {cwd}")
        if os.path.exists(os.path.join(cwd, "matplotlibrc")):
            return self._refuse(conn, fds, f"{cwd} has its own matplotlibrc, read when matplotlib is imported")
        sys.stdout.flush()
        sys.stderr.flush()
        ready_r, ready_w = os.pipe()
        pid = os.fork()
        if pid == 0:  # the kernel-to-be: leave the server behind
            os.close(ready_r)
            self.close_in_child()
            return request, fds, ready_w, (self.pre.threadpools, self.pre.blas)
        os.close(ready_w)
        for fd in fds:
            os.close(fd)
        answer = _read_ready(ready_r, timeout=30)
        os.close(ready_r)
        if answer != "ok":
            _kill_group(pid, signal.SIGKILL)
            return self._refuse(conn, [], f"kernel set-up failed: {answer}")
        self.conns[conn] = "lease"
        self.kernels[pid] = conn
        self.last_kernel = time.monotonic()
        _send(conn, {"ok": True, "pid": pid})
        _log(f"kernel {pid} for {request.get('kernel_id') or '?'} in {cwd} "
             f"({1000 * (time.perf_counter() - started):.0f} ms)")
        return None

    def close_in_child(self):
        signal.set_wakeup_fd(-1)
        for conn in list(self.conns):
            conn.close()
        self.sel.close()
        for s in (self.listener, self.wake_r, self.wake_w):
            s.close()
        self.conns.clear()
        self.kernels.clear()

    def _reap(self):
        for pid in list(self.kernels):
            try:
                done, status = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                done, status = pid, 0
            if done:
                lease = self.kernels.pop(pid)
                code = os.waitstatus_to_exitcode(status)
                _log(f"kernel {pid} exited ({code})")
                if lease is not None:
                    _send(lease, {"exit": code})
                    self._drop(lease)
                self.last_kernel = self.last_busy = time.monotonic()

    def _time_to_go(self) -> bool:
        if self.stopping:
            _log(f"stopping ({self.stop_reason})")
            return True
        if self.kernels:
            return False
        now = time.monotonic()
        if self.draining:
            _log("stale and without kernels")
            return True
        if now - self.last_kernel > self.args.idle:
            _log(f"no kernel for {self.args.idle:g} s")
            return True
        users = [c for c, kind in self.conns.items() if kind in ("user", "lease", "new")]
        if not users and now - self.last_busy > self.args.linger:
            _log(f"no user for {self.args.linger:g} s")
            return True
        return False

    def _start_draining(self):
        self.draining = True
        self._unlink()

    def _unlink(self):
        """Remove the socket and pid file, if they are still this zygote's."""
        import fcntl

        paths = {ext: self.args.socket[: -len(".sock")] + "." + ext for ext in ("sock", "json", "lock")}
        try:
            with open(paths["lock"], "a") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                try:
                    with open(paths["json"]) as f:
                        mine = json.load(f).get("pid") == os.getpid()
                except (OSError, ValueError):
                    mine = False
                if mine:
                    for ext in ("sock", "json"):
                        try:
                            os.unlink(paths[ext])
                        except FileNotFoundError:
                            pass
        except OSError as exc:
            _log(f"could not remove socket: {exc}")

    def _shutdown(self):
        self._unlink()
        self.sel.unregister(self.listener)
        self.listener.close()
        if self.kernels:
            _log(f"stopping: {len(self.kernels)} kernel(s)")
            for pid in self.kernels:
                _kill_group(pid, signal.SIGTERM)
            deadline = time.monotonic() + 3
            while self.kernels and time.monotonic() < deadline:
                time.sleep(0.05)
                self._reap()
            for pid in self.kernels:
                _kill_group(pid, signal.SIGKILL)
            while self.kernels:
                time.sleep(0.02)
                self._reap()
        for conn in list(self.conns):
            self._drop(conn)
        _log("exit")

    def status(self) -> dict:
        return {"ok": True, "pid": os.getpid(), "key": self.args.key, "python": sys.executable,
                "started": self.started, "preload_seconds": round(self.pre.seconds, 3),
                "kernels": sorted(self.kernels), "users": sum(k == "user" for k in self.conns.values()),
                "threads": thread_count(), "blas_in_kernels": self.pre.blas, "blas_here": _blas_here(),
                "fds": {str(k): v for k, v in _open_fds().items()}, "import_warnings": self.pre.warnings,
                "rc_changed": self.pre.rc_changed, "unsafe": self.pre.unsafe(), "env_reads": self.pre.env_reads,
                "modules": len(sys.modules), "hash_seed": os.environ.get("PYTHONHASHSEED"),
                "never_loaded": [m for m in NEVER if m in sys.modules], "later": list(self.pre.later),
                "linger": self.args.linger, "idle": self.args.idle, "draining": self.draining,
                "ends_in": self._ends_in()}

    def _ends_in(self):
        """Seconds until it exits unless used again (None: in use)."""
        users = [c for c, kind in self.conns.items() if kind in ("user", "lease")]
        if self.kernels or users:
            return None
        now = time.monotonic()
        left = min(self.args.linger - (now - self.last_busy), self.args.idle - (now - self.last_kernel))
        return round(max(0.0, left))


def _blas_here() -> dict:
    import threadpoolctl

    return {i["filepath"]: i["num_threads"] for i in threadpoolctl.threadpool_info()}


def _send(conn, message: dict):
    try:
        conn.sendall(json.dumps(message).encode())
    except OSError:
        pass  # the requester is gone; its lease will read as closed


def _kill_group(pid: int, sig: int):
    try:
        os.killpg(pid, sig)
    except OSError:
        try:
            os.kill(pid, sig)
        except OSError:
            pass


def _read_ready(fd: int, timeout: float) -> str:
    out = read_to_end(fd, timeout)
    if out is None:
        return "no answer from the forked kernel"
    return out.decode(errors="replace") or "the forked kernel exited during set-up"


# --------------------------------------------------------------------------------- main

def main(argv=None):
    """Entry point of the zygote process (started by the client, never by hand)."""
    ap = argparse.ArgumentParser(prog="supportstats-zygote")
    ap.add_argument("--fd", type=int, required=True, help="listening socket, bound by the starter")
    ap.add_argument("--socket", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--linger", type=float, default=10.0)
    ap.add_argument("--idle", type=float, default=600.0)
    ap.add_argument("--blas-fd", type=int, required=True, help="pipe from the starter's PROBE")
    ap.add_argument("--defer-later", action="store_true", help="import .stack.LATER only once idle")
    args = ap.parse_args(argv)
    from . import child  # noqa: F401  (loaded here, not in each kernel)

    listener = socket.socket(fileno=args.fd)
    _log(f"starting for {args.key} (python {sys.executable}, hash seed {os.environ.get('PYTHONHASHSEED')}, "
         f"linger {args.linger:g} s, idle {args.idle:g} s)")
    extra = tuple(filter(None, os.environ.get("SUPPORTSTATS_KERNELS_PRELOAD", "").split(",")))
    try:
        preloaded = Preloaded(args.blas_fd, extra, defer_later=args.defer_later)
    except BaseException:
        _log("preloading failed:\n" + traceback.format_exc())
        listener.close()
        raise SystemExit(1)
    _log(f"preloaded {len(sys.modules)} modules in {preloaded.seconds:.2f} s")
    for line in preloaded.warnings:
        _log("warning while preloading:", line)
    why = preloaded.unsafe()
    if why:
        _log(f"not safe to fork: {why}")  # every request is refused with this reason
    zygote = Zygote(listener, args, preloaded)
    zygote.install_signals()
    forked = zygote.serve()
    if forked is None:
        return
    request, fds, ready_w, blas = forked
    del zygote, preloaded, listener, forked
    from .child import become_kernel, run_kernel

    become_kernel(request, fds, ready_w, blas)
    run_kernel(request)
