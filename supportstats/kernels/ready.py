"""A kernel client that is ready as soon as the kernel has answered.

jupyter_client's ``wait_for_ready``, once the kernel has answered ``kernel_info``, waits for
IOPub to stay quiet for 0.2 s before it returns: 0.2 s at the start of every notebook in
which nothing happens. The runner's workers (:func:`supportstats.execute.start_kernel`) use
this client instead; JupyterLab and nbval keep their own.
"""
from __future__ import annotations

import time
from queue import Empty

from jupyter_client.blocking import BlockingKernelClient

__all__ = ["ReadyClient"]


class ReadyClient(BlockingKernelClient):
    """jupyter_client's blocking client whose ``wait_for_ready`` ends with the kernel's answer.

    It reads IOPub up to the kernel's ``idle`` status for the request the kernel answered.
    That proves IOPub is connected (jupyter_client's own check waits for any IOPub message)
    and that nothing of that request is still to come, so only what is already queued is
    drained, without waiting for a quiet spell. nbclient skips IOPub messages that are not
    from its own requests in any case.
    """

    def wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        while True:
            self.kernel_info()
            try:
                reply = self.shell_channel.get_msg(timeout=1)
            except Empty:
                reply = None
            if reply is not None and reply["msg_type"] == "kernel_info_reply":
                asked = reply["parent_header"].get("msg_id")
                if self._idle_after(asked, min(1.0, max(0.0, deadline - time.monotonic()))):
                    self._handle_kernel_info_reply(reply)
                    break
            if not self.is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")
        while True:  # whatever else is already queued (an earlier request's statuses)
            try:
                self.iopub_channel.get_msg(timeout=0.005)
            except Empty:
                break

    def _idle_after(self, msg_id: str | None, wait: float) -> bool:
        """Read IOPub until the ``idle`` status of request ``msg_id``; False if ``wait`` s pass first."""
        end = time.monotonic() + wait
        while True:
            try:
                msg = self.iopub_channel.get_msg(timeout=max(0.0, end - time.monotonic()))
            except Empty:
                return False
            if (msg["msg_type"] == "status" and msg["content"].get("execution_state") == "idle"
                    and msg["parent_header"].get("msg_id") == msg_id):
                return True
