"""``make lab`` offers the warm kernel, and it works interactively through jupyter_server.

Starts ``jupyter lab`` with the options of the Makefile's ``lab`` recipe (plus a port, a
token and a temporary root), then drives it as the JupyterLab front end does: the REST
API to list kernelspecs, start, interrupt, restart and shut down a kernel, and the
kernel's websocket to execute code.
"""
from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest
from kernel_helpers import alive, runtime_folder, wait_gone, zygote_status

from supportstats.paths import ROOT

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="warm kernels need Linux")
TOKEN = uuid.uuid4().hex


def lab_options() -> list[str]:
    recipe = re.search(r"^lab:.*\n\t(.*)$", (ROOT / "Makefile").read_text(), re.M).group(1)
    return [o for o in re.findall(r"--[\w.-]+(?:=[^\s$()]+)?", recipe) if not o.startswith("--ServerApp.root_dir")]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Lab:
    def __init__(self, port):
        self.base = f"http://127.0.0.1:{port}"

    def call(self, method, path, body=None):
        req = urllib.request.Request(f"{self.base}{path}", method=method,
                                     data=None if body is None else json.dumps(body).encode(),
                                     headers={"Authorization": f"token {TOKEN}", "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=300) as resp:
            data = resp.read()
            return resp.status, (json.loads(data) if data else None)


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lab")
    rt = runtime_folder()
    port = _free_port()
    env = dict(os.environ, SUPPORTSTATS_KERNELS_DIR=str(rt), JUPYTER_CONFIG_DIR=str(folder / "config"),
               JUPYTER_RUNTIME_DIR=str(folder / "runtime"), PYDEVD_DISABLE_FILE_VALIDATION="1",
               SUPPORTSTATS_KERNELS_LINGER="2")  # the zygote ends this long after the server
    cmd = [str(Path(sys.executable).parent / "jupyter"), "lab", *lab_options(), "--no-browser",
           f"--ServerApp.port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={TOKEN}",
           f"--ServerApp.root_dir={folder}"]
    log = open(folder / "server.log", "wb")
    server = subprocess.Popen(cmd, env=env, stdout=log, stderr=log, cwd=folder)
    api = Lab(port)
    deadline = time.monotonic() + 120
    while True:
        try:
            api.call("GET", "/api/status")
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((folder / "server.log").read_text()[-3000:]) from None
            time.sleep(0.3)
    yield api, rt, server
    server.terminate()
    server.wait(timeout=60)
    log.close()
    from supportstats.kernels.client import stop_zygotes

    stop_zygotes({"SUPPORTSTATS_KERNELS_DIR": str(rt)})
    if os.environ.get("KEEP_RT") is None:
        shutil.rmtree(rt, ignore_errors=True)


def _message(msg_type, content, channel="shell"):
    return {"header": {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "username": "test", "session": "s",
                       "date": "", "version": "5.3"},
            "parent_header": {}, "metadata": {}, "content": content, "channel": channel, "buffers": []}


class Channels:
    """The kernel's websocket, as JupyterLab uses it."""

    def __init__(self, ws):
        self.ws = ws

    async def execute(self, code, *, wait=True, timeout=120):
        msg = _message("execute_request", {"code": code, "silent": False, "store_history": True,
                                           "user_expressions": {}, "allow_stdin": False, "stop_on_error": True})
        await self.ws.write_message(json.dumps(msg))
        return await self.reply(msg["header"]["msg_id"], timeout) if wait else msg["header"]["msg_id"]

    async def reply(self, msg_id, timeout=120):
        """The execute reply and the output, once the kernel is idle again (the shell's reply
        and the iopub output travel on different channels, in no fixed order)."""
        out, content, idle = [], None, False
        deadline = time.monotonic() + timeout
        while content is None or not idle:
            raw = await asyncio.wait_for(self.ws.read_message(), deadline - time.monotonic())
            assert raw is not None, "websocket closed"
            msg = json.loads(raw)
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "stream":
                out.append(msg["content"]["text"])
            elif msg["msg_type"] == "execute_reply":
                content = msg["content"]
            elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                idle = True
            if content is not None and content["status"] == "aborted":
                return content, ""  # an aborted request gets no idle status of its own
        return content, "".join(out)

    async def retry_aborted(self, code):
        """Execute; send again when ipykernel aborted it while clearing its queue after an error."""
        for _ in range(5):
            reply, out = await self.execute(code)
            if reply["status"] != "aborted":
                return reply, out
            await asyncio.sleep(0.5)
        return reply, out


async def _connect(api, kernel_id):
    from tornado.websocket import websocket_connect

    url = api.base.replace("http", "ws") + f"/api/kernels/{kernel_id}/channels?token={TOKEN}"
    return Channels(await websocket_connect(url))


def test_lab_offers_the_warm_kernel_by_default_beside_python3(lab):
    api, _, _ = lab
    status, specs = api.call("GET", "/api/kernelspecs")
    assert specs["default"] == "supportstats"
    assert {"supportstats", "python3"} <= set(specs["kernelspecs"])
    assert specs["kernelspecs"]["supportstats"]["spec"]["display_name"] == "Python 3 (supportstats, warm)"


def test_start_execute_interrupt_restart_shutdown(lab):
    api, rt, _ = lab

    async def session():
        _, kernel = api.call("POST", "/api/kernels", {"name": "supportstats"})
        ch = await _connect(api, kernel["id"])
        reply, out = await ch.execute("import os, supportstats, pandas, seaborn, statsmodels.api\nx = 1\nprint(os.getpid())")
        assert reply["status"] == "ok"
        first = int(out.split()[-1])
        assert any(first in z["kernels"] for z in zygote_status(rt)), "lab's kernel was not forked"
        sleeping = await ch.execute("import time\ntime.sleep(120)", wait=False)
        await asyncio.sleep(1.0)
        started = time.monotonic()
        assert api.call("POST", f"/api/kernels/{kernel['id']}/interrupt")[0] == 204
        reply, _ = await ch.reply(sleeping)
        assert reply["status"] == "error" and reply["ename"] == "KeyboardInterrupt"
        assert time.monotonic() - started < 30
        reply, out = await ch.retry_aborted("print(x)")
        assert out.strip() == "1"  # interrupted, not restarted
        assert api.call("POST", f"/api/kernels/{kernel['id']}/restart")[0] == 200
        ch.ws.close()
        ch = await _connect(api, kernel["id"])
        reply, out = await ch.execute("import os\nprint('x' in globals(), os.getpid())")
        assert reply["status"] == "ok"
        seen, second = out.split()
        assert seen == "False" and int(second) != first and not alive(first)
        assert any(int(second) in z["kernels"] for z in zygote_status(rt)), "the restarted kernel is not warm"
        ch.ws.close()
        assert api.call("DELETE", f"/api/kernels/{kernel['id']}")[0] == 204
        assert wait_gone([int(second)]) == []
        return [z["pid"] for z in zygote_status(rt)]

    zygote = asyncio.run(session())
    assert len(zygote) == 1


def test_zygote_ends_with_the_server(lab):
    """The server holds a user connection: its zygote stays between kernels, and goes with it."""
    api, rt, server = lab
    _, kernel = api.call("POST", "/api/kernels", {"name": "supportstats"})
    assert api.call("DELETE", f"/api/kernels/{kernel['id']}")[0] == 204
    time.sleep(1.0)
    zygotes = [json.loads(p.read_text())["pid"] for p in rt.glob("z-*.json")]
    assert zygotes and all(alive(pid) for pid in zygotes)
    server.terminate()
    server.wait(timeout=60)
    assert wait_gone(zygotes, timeout=40) == []
