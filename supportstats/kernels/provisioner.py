"""``supportstats-warm``: a jupyter_client kernel provisioner that forks kernels from a warm zygote.

Registered under the ``jupyter_client.kernel_provisioners`` entry point and named in the
``supportstats`` kernelspec's ``metadata.kernel_provisioner``, so papermill, nbclient,
nbval and JupyterLab use it without knowing. It is jupyter_client's
:class:`~jupyter_client.provisioning.LocalProvisioner` (same connection files, ports,
environment, ``JPY_PARENT_PID``, process-group signals, kill, terminate, wait, cleanup and
persisted info) except for the one step that starts the process: ``launch_kernel`` asks
the zygote for a forked kernel and holds a ``Popen``-like handle to it. When that is not
possible (see :class:`~supportstats.kernels.fingerprint.WarmUnavailable`) the kernel
starts the usual way, and the process logs one warning, the first time.

``SUPPORTSTATS_KERNELS=cold`` in the requester's environment skips the warm path.
"""
from __future__ import annotations

import asyncio
import logging
import os
import pathlib
from typing import Any

from jupyter_client.provisioning import LocalProvisioner
from traitlets import Bool, Float

from .fingerprint import WarmUnavailable, cold_requested
from .stack import kernel_environment

__all__ = ["WarmProvisioner"]

_ACCEPTED = {"env", "cwd", "stdin", "stdout", "stderr", "independent", "kernel_id"}
# not the provisioner's traitlets log: outside an Application that one has only a NullHandler
log = logging.getLogger("supportstats.kernels")
_warned = False
# longest a kill waits for a forked kernel's exit; past it, jupyter_client's own polling takes over
_KILL_WAIT = 0.5


class WarmProvisioner(LocalProvisioner):
    """LocalProvisioner whose kernels are forked from a zygote that has imported the stack."""

    linger = Float(10.0, config=True, help="Seconds a zygote started here stays after its last user "
                   "(SUPPORTSTATS_KERNELS_LINGER overrides): long enough for the next run of a loop "
                   "or a test session to find it, short enough that an orphan soon goes.")
    idle = Float(600.0, config=True, help="Seconds a zygote started here stays without any kernel.")
    start_timeout = Float(120.0, config=True, help="Seconds to wait for a zygote to import the stack.")
    warm = Bool(False, help="Whether the current kernel was forked (False: started cold).")

    def _finalize_env(self, env: dict[str, str]) -> None:
        """jupyter_client's last word on a kernel's environment, warm or cold: OpenBLAS's idle
        threads sleep at once (:data:`~supportstats.kernels.stack.BLAS_IDLE`)."""
        super()._finalize_env(env)
        env.update(kernel_environment(env))

    async def launch_kernel(self, cmd: list[str], **kwargs: Any):
        self.warm = False
        try:
            process = await self._fork(cmd, kwargs)
        except WarmUnavailable as exc:
            self._warn_once(f"warm kernel unavailable, starting a normal one: {exc}")
            return await super().launch_kernel(cmd, **kwargs)
        except Exception as exc:  # a bug on the warm path must not cost the user a kernel
            self._warn_once(f"warm kernel failed ({type(exc).__name__}: {exc}), starting a normal one")
            return await super().launch_kernel(cmd, **kwargs)
        self.process = process
        self.pid = self.pgid = process.pid  # the forked kernel leads its own session
        self.cwd = kwargs.get("cwd") or pathlib.Path.cwd()
        self.warm = True
        return self.connection_info

    async def _fork(self, cmd, kwargs):
        env = dict(kwargs.get("env") or os.environ)
        if cold_requested(env):
            raise WarmUnavailable("SUPPORTSTATS_KERNELS=cold")
        unknown = set(kwargs) - _ACCEPTED
        if getattr(kwargs.get("preexec_fn"), "parent_death_only", False):
            # a pre-exec hook that only makes the kernel die with its requester: a forked kernel
            # already does (the zygote kills it when the requester's lease closes)
            unknown.discard("preexec_fn")
        if unknown:
            raise WarmUnavailable(f"launch options a fork cannot honour: {', '.join(sorted(unknown))}")
        if not kwargs.get("independent"):
            env["JPY_PARENT_PID"] = str(os.getpid())  # as jupyter_client's launcher sets it
        from .client import spawn

        linger = float(env.get("SUPPORTSTATS_KERNELS_LINGER") or self.linger)
        call = lambda: spawn(cmd, env=env, cwd=kwargs.get("cwd"), stdin=kwargs.get("stdin"),  # noqa: E731
                             stdout=kwargs.get("stdout"), stderr=kwargs.get("stderr"),
                             kernel_id=self.kernel_id, linger=linger, idle=self.idle,
                             timeout=self.start_timeout)
        # the first request waits seconds for the zygote: keep a server's event loop free
        return await asyncio.get_running_loop().run_in_executor(None, call)

    async def kill(self, restart: bool = False) -> None:
        """Kill the kernel, and for a forked one wait the few milliseconds its exit takes.

        jupyter_client looks again 0.1 s after a kill that has not ended the kernel yet, and
        the first look comes too soon for any kernel. A forked kernel's end comes through its
        lease as soon as the zygote reaps it, so the caller (a runner's last worker, a
        restart in JupyterLab) goes on as soon as the kernel has ended.
        """
        await super().kill(restart=restart)
        process = self.process if self.warm else None
        if process is None:
            return
        deadline = asyncio.get_running_loop().time() + _KILL_WAIT
        while process.poll() is None and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.002)

    def _warn_once(self, message: str):
        global _warned
        if not _warned:
            _warned = True
            log.warning(message)
        else:
            log.debug(message)

    async def get_provisioner_info(self) -> dict:
        info = await super().get_provisioner_info()
        info["warm"] = self.warm
        return info

    async def load_provisioner_info(self, provisioner_info: dict) -> None:
        await super().load_provisioner_info(provisioner_info)
        self.warm = bool(provisioner_info.get("warm", False))
