"""The runner's kernel client (supportstats.kernels.ready): ready on the kernel's answer, nothing left behind."""
import os
import queue

import pytest
from jupyter_client.manager import KernelManager

from supportstats.kernels.ready import ReadyClient
from tests.kernel_helpers import PLAIN, WARM


@pytest.mark.parametrize("name", [WARM, PLAIN])
def test_ready_client_leaves_nothing_of_kernel_info_for_the_first_cell(name, tmp_path):
    km = KernelManager(kernel_name=name, client_class="supportstats.kernels.ready.ReadyClient")
    km.start_kernel(cwd=str(tmp_path), env=dict(os.environ))
    kc = km.client()
    try:
        assert isinstance(kc, ReadyClient)
        kc.start_channels()
        kc.wait_for_ready(timeout=120)
        msg_id = kc.execute("print(6 * 7)")
        seen = []
        while True:
            msg = kc.get_iopub_msg(timeout=30)
            seen.append((msg["msg_type"], msg["parent_header"].get("msg_id")))
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle" \
                    and msg["parent_header"].get("msg_id") == msg_id:
                break
        # every IOPub message after wait_for_ready belongs to the cell: no kernel_info status is left over
        assert {parent for _, parent in seen} == {msg_id}, seen
        assert ("stream", msg_id) in seen
        with pytest.raises(queue.Empty):
            kc.get_iopub_msg(timeout=0.3)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def test_ready_client_says_when_the_kernel_died(tmp_path):
    km = KernelManager(kernel_name=PLAIN, client_class="supportstats.kernels.ready.ReadyClient")
    km.start_kernel(cwd=str(tmp_path), env=dict(os.environ))
    kc = km.client()
    try:
        km.shutdown_kernel(now=True)
        kc.start_channels()
        with pytest.raises(RuntimeError, match="died|respond"):
            kc.wait_for_ready(timeout=5)
    finally:
        kc.stop_channels()
