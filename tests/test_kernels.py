"""Warm kernels (supportstats.kernels), with real zygotes, kernels and processes.

Every test here starts real processes: the module shares one zygote (its own runtime
folder), and the tests about lifetimes start zygotes of their own in other folders.
"""
from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import nbformat
import pytest
from kernel_helpers import PLAIN, WARM, alive, run, runtime_folder, start, stop, value, wait_gone, zygote_status

from supportstats.kernels import client, fingerprint, provisioner, spec
from supportstats.kernels.fingerprint import per_kernel

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="warm kernels need Linux")


@pytest.fixture(scope="module")
def rt():
    """This module's runtime folder: its zygotes are its own."""
    folder = runtime_folder()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SUPPORTSTATS_KERNELS_DIR", str(folder))
        mp.setenv("PYDEVD_DISABLE_FILE_VALIDATION", "1")
        yield folder
        client.stop_zygotes({"SUPPORTSTATS_KERNELS_DIR": str(folder)})
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def warm(rt, tmp_path_factory):
    """One warm kernel, and the status of the zygote it came from."""
    km, kc = start(WARM, cwd=tmp_path_factory.mktemp("warm-cwd"))
    assert km.provisioner.warm, "the supportstats kernelspec did not fork a kernel"
    status = next(z for z in zygote_status(rt) if km.provisioner.pid in z["kernels"])
    yield km, kc, status
    stop(km, kc)


@pytest.fixture
def own_rt():
    """A runtime folder for one test: zygotes no other test shares."""
    folder = runtime_folder()
    yield folder
    client.stop_zygotes({"SUPPORTSTATS_KERNELS_DIR": str(folder)})
    shutil.rmtree(folder, ignore_errors=True)


def script(tmp_path, text) -> Path:
    path = tmp_path / "requester.py"
    path.write_text(textwrap.dedent(text))
    return path


# ------------------------------------------------------------------------ registration

def test_kernelspec_is_installed_beside_python3():
    from jupyter_client.kernelspec import KernelSpecManager

    specs = KernelSpecManager().get_all_specs()
    assert {WARM, PLAIN} <= set(specs)
    warm_spec = specs[WARM]
    assert Path(warm_spec["resource_dir"]).resolve() == (Path(sys.prefix) / "share/jupyter/kernels/supportstats").resolve()
    assert warm_spec["spec"]["display_name"] == "Python 3 (supportstats, warm)"
    assert warm_spec["spec"]["metadata"]["kernel_provisioner"]["provisioner_name"] == "supportstats-warm"
    assert warm_spec["spec"]["argv"] == specs[PLAIN]["spec"]["argv"]  # same interpreter, same launcher
    assert json.loads((Path(warm_spec["resource_dir"]) / "kernel.json").read_text()) == spec.kernelspec()


def test_provisioner_entry_point():
    from jupyter_client.provisioning import KernelProvisionerFactory

    factory = KernelProvisionerFactory.instance()
    assert factory._check_availability("supportstats-warm")
    assert factory.provisioners["supportstats-warm"].load() is provisioner.WarmProvisioner


# ----------------------------------------------------------------- the zygote is clean

def test_zygote_is_single_threaded_with_no_pools_before_it_forks(warm):
    _, _, status = warm
    assert status["threads"] == 1
    assert status["blas_here"] and set(status["blas_here"].values()) == {1}
    assert status["unsafe"] is None
    assert status["rc_changed"] == [] and status["never_loaded"] == []
    assert status["import_warnings"] == []


def test_zygote_holds_no_files_and_no_connections_but_its_own(warm):
    _, _, status = warm
    others = {fd: target for fd, target in status["fds"].items() if int(fd) > 2
              and not target.startswith(("socket:", "anon_inode:[eventpoll]"))}
    assert others == {}
    # its own: listener, wake-up pair, this status request, and user/lease connections
    sockets = [t for t in status["fds"].values() if t.startswith("socket:")]
    assert len(sockets) <= 4 + 2 * len(status["kernels"]) + 2 * status["users"] + 2


def test_every_variable_read_at_import_splits_zygotes_or_is_reapplied(warm):
    _, _, status = warm
    reapplied = {"MPLBACKEND", "JPY_PARENT_PID", "JPY_INTERRUPT_EVENT", "PYDEVD_DISABLE_FILE_VALIDATION"}
    loose = [name for name in status["env_reads"] if name == "*" or per_kernel(name) and name not in reapplied]
    assert loose == []
    assert "SUPPORTSTATS_ROOT" in status["env_reads"]  # the check sees what it must see


def test_forked_kernel_has_the_blas_threads_of_a_plain_one(warm, tmp_path):
    _, kc, status = warm
    pools = "{i['filepath']: i['num_threads'] for i in threadpoolctl.threadpool_info()}"
    km2, kc2 = start(PLAIN, cwd=tmp_path)
    try:
        run(kc2, "import numpy, scipy.linalg, threadpoolctl")
        plain = value(kc2, pools)
    finally:
        stop(km2, kc2)
    run(kc, "import numpy, scipy.linalg, threadpoolctl")
    forked = value(kc, pools)
    assert forked == plain == status["blas_in_kernels"]
    assert set(status["blas_here"]) == set(forked)


def _cpu(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_blas_threads_sleep_when_idle_instead_of_spinning(warm):
    """OpenBLAS's default makes its idle threads spin ~0.1 s (2**28 cycles) after they are
    created and after each parallel call: in a forked kernel ~0.19 of its 0.25 CPU-s start."""
    km, kc, _ = warm
    assert value(kc, "__import__('os').environ.get('OPENBLAS_THREAD_TIMEOUT')") == "4"
    run(kc, "import numpy as _np; _a = _np.random.default_rng(0).random((500, 500)); [_a @ _a for _ in range(5)]")
    before = _cpu(km.provisioner.pid)
    time.sleep(0.4)
    assert _cpu(km.provisioner.pid) - before <= 0.03  # spinning threads would take ~0.1 s each


def test_a_users_blas_timeout_is_kept_and_cold_kernels_get_the_same_default(rt, tmp_path):
    expr = "[__import__('os').environ.get(v) for v in ('OPENBLAS_THREAD_TIMEOUT', 'GOTO_THREAD_TIMEOUT')]"
    base = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_THREAD_TIMEOUT", "GOTO_THREAD_TIMEOUT")}
    for env, expected, warm_ in (({"OPENBLAS_THREAD_TIMEOUT": "20"}, ["20", None], True),
                                 ({"GOTO_THREAD_TIMEOUT": "12"}, [None, "12"], True),
                                 ({"SUPPORTSTATS_KERNELS": "cold"}, ["4", None], False)):
        km, kc = start(WARM, cwd=tmp_path, env={**base, **env})
        try:
            assert km.provisioner.warm is warm_
            assert value(kc, expr) == expected
        finally:
            stop(km, kc)
    assert not client.prestart(WARM, {**os.environ, "SUPPORTSTATS_KERNELS": "cold"})


def test_kernel_loads_the_package_lazily_as_a_cold_one_does(warm):
    _, kc, _ = warm
    assert value(kc, "__import__('sys').modules['supportstats']._loaded") is False
    assert value(kc, "'supportstats.plots' in __import__('sys').modules") is False
    assert value(kc, "__import__('matplotlib').get_backend()") == "module://matplotlib_inline.backend_inline"


def test_a_zygote_started_for_a_kernel_imports_everything_at_once(warm):
    """JupyterLab's, nbval's: only a runner's zygote leaves stack.LATER for after its run."""
    _, kc, status = warm
    assert status["later"] == []
    assert value(kc, "'statsmodels.api' in __import__('sys').modules") is True


def test_kernel_knows_the_matplotlib_backends_a_cold_one_does(warm, tmp_path):
    """The zygote reads the backends' entry points once; its kernels know the same backends."""
    _, kc, _ = warm
    expr = "sorted(__import__('matplotlib.backends', fromlist=['x']).backend_registry.list_all())"
    km2, kc2 = start(PLAIN, cwd=tmp_path)
    try:
        plain = value(kc2, expr)
    finally:
        stop(km2, kc2)
    assert value(kc, expr) == plain and "inline" in plain


def test_kernel_collects_garbage_as_a_cold_one_does(warm):
    """The zygote imports with the collector off: its kernels must have it back on."""
    _, kc, _ = warm
    expr = "[__import__('gc').isenabled(), __import__('gc').get_threshold()]"
    fresh = subprocess.run([sys.executable, "-c", f"import json; print(json.dumps({expr}))"],
                           capture_output=True, text=True, check=True).stdout
    assert value(kc, expr) == json.loads(fresh) == [True, json.loads(fresh)[1]]

# --------------------------------------------------------------- each kernel its own

@contextlib.contextmanager
def _two_kernels(rt, tmp_path, env_of):
    """Warm kernels "a" and "b", each in a folder of its own with ``env_of(name)``; yields their
    clients and whether one zygote forked both, and stops them."""
    kernels = []
    try:
        for name in ("a", "b"):
            folder = tmp_path / name
            folder.mkdir()
            (folder / "marker.txt").write_text(name)
            (folder / "localmod.py").write_text(f"WHO = {name!r}\n")
            kernels.append(start(WARM, cwd=folder, env=env_of(name)))
        (km_a, kc_a), (km_b, kc_b) = kernels
        assert km_a.provisioner.warm and km_b.provisioner.warm
        by_kernel = {pid: z["pid"] for z in zygote_status(rt) for pid in z["kernels"]}
        yield kc_a, kc_b, by_kernel[km_a.provisioner.pid] == by_kernel[km_b.provisioner.pid]
    finally:
        for km, kc in kernels:
            stop(km, kc)


_SEEN = ("[__import__('os').environ.get('{var}'), __import__('os').getcwd(), open('marker.txt').read(), "
         "__import__('localmod').WHO, 'ONLY_IN_A' in __import__('os').environ]")


@pytest.mark.parametrize("var", ["JPY_SESSION_NAME", "WHO_AM_I"])
def test_each_kernel_sees_its_own_environment_and_folder(rt, tmp_path, var):
    """JPY_SESSION_NAME differs per kernel in JupyterLab: one zygote serves both, each
    kernel gets its own value after the fork. Any other difference (WHO_AM_I) might be
    read at import, so that environment gets a zygote of its own."""
    per_kernel_var = var.startswith("JPY_")
    only = "JPY_ONLY_IN_A" if per_kernel_var else "ONLY_IN_A"

    def env_of(name):
        env = dict(os.environ)
        if name == "a" or per_kernel_var:
            env[var] = name
        if name == "a":
            env[only] = "1"
        return env

    with _two_kernels(rt, tmp_path, env_of) as (kc_a, kc_b, one_zygote):
        assert one_zygote == per_kernel_var
        for name, kc in (("a", kc_a), ("b", kc_b)):
            seen = value(kc, _SEEN.format(var=var).replace("ONLY_IN_A", only))
            mine = name if name == "a" or per_kernel_var else None
            assert seen == [mine, str(tmp_path / name), name, name, name == "a"]


def test_papermill_and_lab_kernels_share_a_zygote_each_with_its_debugger_flag(rt, tmp_path):
    """The papermill CLI sets PYDEVD_DISABLE_FILE_VALIDATION=1 in its environment, JupyterLab and
    nbval do not: one zygote serves both, and each kernel holds the value debugpy would have
    read from its own environment (the variable is a per-kernel one since a test suite
    started a second zygote for papermill's kernels)."""
    def env_of(name):
        env = dict(os.environ)
        if name == "a":
            env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
        else:
            env.pop("PYDEVD_DISABLE_FILE_VALIDATION", None)
        return env

    with _two_kernels(rt, tmp_path, env_of) as (kc_a, kc_b, one_zygote):
        assert one_zygote
        probe = ("[m.DISABLE_FILE_VALIDATION for m in (__import__('_pydevd_bundle.pydevd_constants').pydevd_constants, "
                 "__import__('pydevd_file_utils'))]")
        assert value(kc_a, probe) == [True, True]
        assert value(kc_b, probe) == [False, False]


def test_hash_seed_and_import_time_variables_get_a_zygote_of_their_own(rt, tmp_path, warm):
    """The runner sets PYTHONHASHSEED=0 for stable outputs; it cannot change after start."""
    _, kc_default, status = warm
    root = tmp_path / "root"
    root.mkdir()
    env = dict(os.environ, PYTHONHASHSEED="0", SUPPORTSTATS_ROOT=str(root))
    expected = subprocess.run([sys.executable, "-c", "print(hash('supportstats'))"], env=env,
                              capture_output=True, text=True, check=True).stdout.strip()
    km, kc = start(WARM, cwd=tmp_path, env=env)
    try:
        assert km.provisioner.warm
        code = "[str(hash('supportstats')), str(__import__('supportstats.paths').paths.ROOT)]"
        assert value(kc, code) == [expected, str(root)]
        zygote = next(z for z in zygote_status(rt) if km.provisioner.pid in z["kernels"])
        assert zygote["hash_seed"] == "0" and zygote["pid"] != status["pid"]
        # the module's own zygote has Python's random seed, and the project's root
        assert value(kc_default, code) != [expected, str(root)]
    finally:
        stop(km, kc)


def _notebook(*sources):
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources],
                                    metadata={"kernelspec": {"name": PLAIN, "display_name": "Python 3",
                                                             "language": "python"}})


def test_state_never_leaks_from_one_notebook_to_the_next(rt, tmp_path):
    from nbclient import NotebookClient

    setter = _notebook(
        "import os, matplotlib as mpl, pandas as pd, supportstats as ss\n"
        "LEAKED = 42\nmpl.rcParams['lines.linewidth'] = 7.5\nos.environ['LEAKED_VAR'] = 'yes'\n"
        "pd.set_option('display.max_rows', 3)\nss.setup_notebook()\n__import__('sys').modules['pandas'].LEAKED = 1")
    checker = _notebook(
        "import os, sys, matplotlib as mpl, pandas as pd\n"
        "assert 'LEAKED' not in globals()\n"
        "assert mpl.rcParams['lines.linewidth'] == mpl.rcParamsDefault['lines.linewidth']\n"
        "assert 'LEAKED_VAR' not in os.environ\n"
        "assert pd.get_option('display.max_rows') == 60\n"
        "assert not hasattr(pd, 'LEAKED')\n"
        "assert 'supportstats.plots' not in sys.modules\n"
        "print('clean')")
    for nb in (setter, checker):
        NotebookClient(nb, kernel_name=WARM, timeout=300, resources={"metadata": {"path": str(tmp_path)}}).execute()
    assert checker.cells[0].outputs[0]["text"] == "clean\n"


# ------------------------------------------------------ interrupt, restart, shutdown

@pytest.mark.parametrize("name", [WARM, PLAIN])
def test_a_kernel_ends_as_pythons_exit_would(rt, tmp_path, name):
    """The forked kernel skips Python's finalization; nothing a user can see of an exit is lost."""
    km, kc = start(name, cwd=tmp_path)
    try:
        pid = km.provisioner.pid
        run(kc, textwrap.dedent(f"""
            import atexit, pathlib, threading, time
            out = pathlib.Path({str(tmp_path)!r})
            f = open(out / "unclosed.txt", "w")
            f.write("flushed")
            atexit.register(lambda: (out / "atexit.txt").write_text("ran"))
            threading.Thread(target=lambda: (time.sleep(0.5), (out / "thread.txt").write_text("joined"))).start()
            """))
        km.shutdown_kernel(now=False)
        assert wait_gone([pid]) == []
    finally:
        stop(km, kc)
    assert {p.name: p.read_text() for p in tmp_path.glob("*.txt")} == {
        "unclosed.txt": "flushed", "atexit.txt": "ran", "thread.txt": "joined"}


def test_a_killed_forked_kernel_has_ended_when_kill_returns(rt, tmp_path, monkeypatch):
    """jupyter_client looks again only 0.1 s after a kill that has not yet ended the kernel
    (the last worker of every run waited for that): the provisioner waits for the exit itself."""
    import asyncio

    monkeypatch.setattr(provisioner, "_KILL_WAIT", 60.0)  # so a loaded machine cannot make this a race
    km, kc = start(WARM, cwd=tmp_path)
    try:
        assert km.provisioner.warm
        pid = km.provisioner.pid
        asyncio.run(km.provisioner.kill())
        assert km.provisioner.process.poll() == -signal.SIGKILL
        assert not alive(pid)
    finally:
        stop(km, kc)


def test_interrupt_restart_and_shutdown_behave_like_a_normal_kernel(rt, tmp_path):
    km, kc = start(WARM, cwd=tmp_path)
    try:
        first = km.provisioner.pid
        assert km.provisioner.warm and os.getpgid(first) == first  # its own process group
        msg_id = kc.execute("x = 1\nimport time\ntime.sleep(120)")
        time.sleep(1.0)
        started = time.monotonic()
        km.interrupt_kernel()
        reply = kc.get_shell_msg(timeout=60)
        while reply["parent_header"].get("msg_id") != msg_id:
            reply = kc.get_shell_msg(timeout=60)
        assert reply["content"]["status"] == "error" and reply["content"]["ename"] == "KeyboardInterrupt"
        assert time.monotonic() - started < 30
        assert km.is_alive() and value(kc, "x") == 1
        km.restart_kernel(now=False)
        kc.wait_for_ready(timeout=300)
        second = km.provisioner.pid
        assert second != first and km.provisioner.warm and not alive(first)
        assert value(kc, "'x' in globals()") is False
        km.shutdown_kernel()
        assert not km.has_kernel and wait_gone([second]) == []
        assert all(second not in z["kernels"] for z in zygote_status(rt))
    finally:
        stop(km, kc)


# ------------------------------------------------------------------------- lifetimes

_REQUESTER = """
import json, os, sys, time
from jupyter_client.manager import KernelManager
from supportstats.kernels import client
km = KernelManager(kernel_name="supportstats")
km.start_kernel(cwd=os.getcwd())
zygote = [z["pid"] for z in client.zygotes() if km.provisioner.pid in z["kernels"]]
print(json.dumps({"kernel": km.provisioner.pid, "warm": km.provisioner.warm, "zygote": zygote}), flush=True)
if sys.argv[1] == "hold":
    time.sleep(600)
km.shutdown_kernel()
"""


def _requester(tmp_path, mode, folder):
    env = dict(os.environ, SUPPORTSTATS_KERNELS_DIR=str(folder), SUPPORTSTATS_KERNELS_LINGER="2")
    proc = subprocess.Popen([sys.executable, str(script(tmp_path, _REQUESTER)), mode], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    info = json.loads(proc.stdout.readline())
    assert info["warm"] and len(info["zygote"]) == 1, info
    return proc, info, folder


def test_sigkill_of_the_requester_leaves_no_kernel_and_no_zygote(tmp_path, own_rt):
    proc, info, folder = _requester(tmp_path, "hold", own_rt)
    assert alive(info["kernel"]) and alive(info["zygote"][0])
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert wait_gone([info["kernel"]], timeout=10) == []
    assert wait_gone(info["zygote"], timeout=40) == []  # it lingers 2 s for a next run
    assert not list(folder.glob("*.sock"))


def test_zygote_ends_soon_after_its_last_user(tmp_path, own_rt):
    proc, info, folder = _requester(tmp_path, "exit", own_rt)
    assert proc.wait(timeout=120) == 0
    assert wait_gone([info["kernel"]], timeout=10) == []
    assert wait_gone(info["zygote"], timeout=40) == []  # it lingers 2 s for a next run


def test_kernels_die_with_their_zygote(rt, tmp_path):
    km, kc = start(WARM, cwd=tmp_path)
    try:
        pid = km.provisioner.pid
        zygote = next(z["pid"] for z in zygote_status(rt) if pid in z["kernels"])
        os.kill(zygote, signal.SIGKILL)
        assert wait_gone([pid], timeout=10) == []
        deadline = time.monotonic() + 10
        while km.is_alive() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not km.is_alive()
    finally:
        stop(km, kc)
    km, kc = start(WARM, cwd=tmp_path)  # the next request starts a new zygote
    try:
        assert km.provisioner.warm and value(kc, "1 + 1") == 2
    finally:
        stop(km, kc)


def test_cli_lists_and_stops_zygotes(tmp_path, own_rt, capsys):
    from supportstats.cli import main

    proc, info, folder = _requester(tmp_path, "hold", own_rt)
    try:
        os.environ["SUPPORTSTATS_KERNELS_DIR"], saved = str(folder), os.environ.get("SUPPORTSTATS_KERNELS_DIR")
        try:
            assert main(["kernels"]) == 0
            assert f"zygote {info['zygote'][0]}: 1 kernel(s) [{info['kernel']}]" in capsys.readouterr().out
            assert main(["kernels", "--stop"]) == 0
            assert f"stopped 1 zygote(s): {info['zygote'][0]}" in capsys.readouterr().out
        finally:
            if saved is None:
                os.environ.pop("SUPPORTSTATS_KERNELS_DIR")
            else:
                os.environ["SUPPORTSTATS_KERNELS_DIR"] = saved
        assert wait_gone([info["kernel"], *info["zygote"]], timeout=10) == []
    finally:
        proc.kill()
        proc.wait()


def test_changed_source_gets_a_new_zygote(rt, tmp_path):
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "warmprobe_mod.py").write_text("VALUE = 1\n")
    env = dict(os.environ, PYTHONPATH=str(lib), SUPPORTSTATS_KERNELS_PRELOAD="warmprobe_mod")
    pids = []
    for expected in (1, 22):
        km, kc = start(WARM, cwd=tmp_path, env=env)
        try:
            assert km.provisioner.warm and value(kc, "__import__('warmprobe_mod').VALUE") == expected
            pids.append(next(z["pid"] for z in zygote_status(rt) if km.provisioner.pid in z["kernels"]))
        finally:
            stop(km, kc)
        (lib / "warmprobe_mod.py").write_text("VALUE = 22\n")
    assert pids[0] != pids[1]


# --------------------------------------------------------------------------- fallback

def test_warm_failure_falls_back_to_a_normal_kernel_with_one_warning(tmp_path, own_rt, monkeypatch, caplog):
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "numpy.py").write_text("raise ImportError('deliberately broken numpy')\n")
    env = dict(os.environ, PYTHONPATH=str(broken), SUPPORTSTATS_KERNELS_DIR=str(own_rt))
    monkeypatch.setattr(provisioner, "_warned", False)
    caplog.set_level(logging.WARNING, logger="supportstats.kernels")
    for _ in range(2):
        km, kc = start(WARM, cwd=tmp_path, env=env)
        try:
            assert not km.provisioner.warm and value(kc, "1 + 1") == 2
        finally:
            stop(km, kc)
    warnings = [r for r in caplog.records if r.name == "supportstats.kernels" and r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "deliberately broken numpy" in warnings[0].getMessage()


def test_a_zygote_without_a_cold_kernels_blas_counts_refuses_to_fork(tmp_path, own_rt, monkeypatch, caplog):
    # its kernels would keep the zygote's one BLAS thread, and a plain kernel's sums may differ
    monkeypatch.setattr(client, "PROBE", "raise SystemExit('deliberately failed probe')")
    monkeypatch.setattr(provisioner, "_warned", False)
    caplog.set_level(logging.WARNING, logger="supportstats.kernels")
    km, kc = start(WARM, cwd=tmp_path, env=dict(os.environ, SUPPORTSTATS_KERNELS_DIR=str(own_rt)))
    try:
        assert not km.provisioner.warm and value(kc, "1 + 1") == 2
    finally:
        stop(km, kc)
    warnings = [r.getMessage() for r in caplog.records if r.name == "supportstats.kernels"]
    assert len(warnings) == 1 and "BLAS thread counts" in warnings[0]
    assert "deliberately failed probe" in next(own_rt.glob("z-*.log")).read_text()


def test_an_insecure_runtime_folder_is_refused(tmp_path):
    folder = tmp_path / "open"
    folder.mkdir()
    folder.chmod(0o777)
    with pytest.raises(fingerprint.WarmUnavailable, match="mode 0700"):
        fingerprint.runtime_dir({"SUPPORTSTATS_KERNELS_DIR": str(folder)})


def test_what_a_fork_cannot_honour_is_refused_before_any_process_starts(tmp_path):
    with pytest.raises(fingerprint.WarmUnavailable, match="stdio"):
        client._stdio_fds(None, subprocess.PIPE, None)
    with pytest.raises(fingerprint.WarmUnavailable, match="ipykernel_launcher"):
        client.spawn(["/usr/bin/R", "--slave"], env=dict(os.environ))
    folder = tmp_path / ("x" * 100)
    with pytest.raises(fingerprint.WarmUnavailable, match="too long"):
        fingerprint.zygote_paths(folder, "0" * 20)


def test_cli_reports_a_refused_runtime_folder_in_one_line(tmp_path, monkeypatch, capsys):
    from supportstats.cli import main

    folder = tmp_path / "open"
    folder.mkdir()
    folder.chmod(0o777)
    monkeypatch.setenv("SUPPORTSTATS_KERNELS_DIR", str(folder))
    assert main(["kernels"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "mode 0700" in err


def test_prestart_starts_the_zygote_the_kernels_then_use(tmp_path, own_rt):
    env = dict(os.environ, SUPPORTSTATS_KERNELS_DIR=str(own_rt))
    assert client.prestart("supportstats", env)
    assert client.preloading()  # importing the stack takes seconds; it has barely begun
    pidfiles = list(own_rt.glob("z-*.json"))
    assert len(pidfiles) == 1
    zygote = json.loads(pidfiles[0].read_text())["pid"]
    km, kc = start(WARM, cwd=tmp_path, env=env)
    try:
        assert km.provisioner.warm
        assert not client._PROBES  # its probe, this process's child, is reaped, not left a zombie
        assert not client.preloading()  # a kernel was forked: the zygote has imported everything
        assert [z["pid"] for z in zygote_status(own_rt) if km.provisioner.pid in z["kernels"]] == [zygote]
    finally:
        stop(km, kc)


def test_the_spec_a_runner_prestarts_for_is_the_one_jupyter_client_finds(tmp_path, monkeypatch):
    from jupyter_client.kernelspec import KernelSpecManager

    def same(name):
        mine, theirs = spec.find_kernelspec(name), KernelSpecManager().get_kernel_spec(name)
        return [mine["argv"], mine.get("env", {}), mine["metadata"]] == [theirs.argv, theirs.env, theirs.metadata]

    assert same("supportstats") and same("python3") and same("SupportStats")
    # a JUPYTER_PATH folder outranks the venv's, for both; a folder without kernel.json does not count
    shadow = tmp_path / "kernels" / "supportstats"
    shadow.mkdir(parents=True)
    (tmp_path / "kernels" / "python3").mkdir()
    (shadow / "kernel.json").write_text(json.dumps({"argv": ["python", "-X", "dev", "-m", "ipykernel_launcher",
                                                             "-f", "{connection_file}"], "display_name": "shadow",
                                                    "language": "python", "env": {"A": "1"}, "metadata": {}}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    assert same("supportstats") and same("python3")
    assert spec.find_kernelspec("supportstats")["display_name"] == "shadow"
    assert spec.find_kernelspec("no-such-kernel") is None


def test_prestart_reads_the_kernelspec_without_importing_jupyter_client():
    """It runs before the zygote starts, which then waits for it: jupyter_client took ~0.13 s."""
    code = ("import sys; from supportstats.kernels import client; "
            "print(client.prestart('python3'), 'jupyter_client' in sys.modules, 'IPython' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False", "False"]


def test_prestart_starts_nothing_where_kernels_start_cold(tmp_path, own_rt):
    """A plain-kernel run (SUPPORTSTATS_KERNELS=cold) would not use the zygote it imported."""
    env = dict(os.environ, SUPPORTSTATS_KERNELS_DIR=str(own_rt), SUPPORTSTATS_KERNELS="cold")
    assert client.prestart("supportstats", env) is False
    km, kc = start(WARM, cwd=tmp_path, env=env)
    try:
        assert not km.provisioner.warm
    finally:
        stop(km, kc)
    assert not list(own_rt.glob("z-*")), "a zygote started for kernels that start cold"


def test_files_of_zygotes_gone_for_a_day_are_swept(tmp_path):
    day = client.SWEEP_AFTER
    for stem, age in (("z-old", day + 60), ("z-recent", 60), ("z-running", day + 60), ("z-mine", day + 60)):
        for ext in ("lock", "log"):
            path = tmp_path / f"{stem}.{ext}"
            path.write_text("")
            os.utime(path, (time.time() - age,) * 2)
    (tmp_path / "z-running.sock").write_text("")  # a live zygote keeps its files, however old
    for name, age in (("k12-ab12cd34-ipc-1", day + 60), ("k13-ab12cd35-ipc-1", 60)):  # a runner's kernel sockets
        (tmp_path / name).write_text("")
        os.utime(tmp_path / name, (time.time() - age,) * 2)
    assert client._sweep(tmp_path, keep="z-mine") == ["k12-ab12cd34-ipc-1", "z-old"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "k13-ab12cd35-ipc-1", "z-mine.lock", "z-mine.log", "z-recent.lock", "z-recent.log", "z-running.lock",
        "z-running.log", "z-running.sock"]


def test_a_user_may_ask_a_running_zygote_to_linger_longer(own_rt, capsys, monkeypatch):
    from supportstats.cli import main

    env = dict(os.environ, SUPPORTSTATS_KERNELS_DIR=str(own_rt))
    assert client.prestart("supportstats", env, linger=1)
    assert client.prestart("supportstats", env, linger=120)  # a runner's: its next run should find it
    [before] = zygote_status(own_rt)
    assert before["linger"] == 120 and before["ends_in"] is None  # in use
    client.release()
    time.sleep(3)  # past the first user's linger
    [after] = zygote_status(own_rt)
    assert after["pid"] == before["pid"] and 100 <= after["ends_in"] <= 120
    monkeypatch.setenv("SUPPORTSTATS_KERNELS_DIR", str(own_rt))
    assert main(["kernels"]) == 0
    out = capsys.readouterr().out
    assert f"zygote {after['pid']}: 0 kernel(s) [], 0 user(s), unused: ends in" in out and "--stop ends them now" in out


def test_a_runners_zygote_imports_statsmodels_api_once_the_run_has_ended(tmp_path, own_rt):
    """What no notebook of the package imports (stack.LATER) costs a run nothing; a
    researcher's kernel after the run finds it imported, with the same results."""
    from supportstats.kernels.stack import LATER

    env = dict(os.environ, SUPPORTSTATS_KERNELS_DIR=str(own_rt))
    assert client.prestart("supportstats", env, defer_later=True)
    sm = "sorted(m for m in __import__('sys').modules if m in {'statsmodels.api', 'statsmodels.stats.api'})"
    fit = "round(float(__import__('statsmodels.api').api.OLS([1.0, 2.0, 4.0], [[1, 0], [1, 1], [1, 2]]).fit().params[1]), 12)"
    km, kc = start(WARM, cwd=tmp_path, env=env)
    try:
        assert km.provisioner.warm
        time.sleep(1.5)  # idle, but the run (this process) is still connected
        [status] = zygote_status(own_rt)
        assert status["later"] == list(LATER) and status["unsafe"] is None
        assert value(kc, sm) == []  # a kernel of the run: none of it
        during = value(kc, fit)  # a notebook that imports it anyway gets it, as a cold kernel would
        assert value(kc, sm) == sorted(LATER)
    finally:
        stop(km, kc)
    client.release()  # the run ends
    deadline = time.monotonic() + 60
    while zygote_status(own_rt)[0]["later"] and time.monotonic() < deadline:
        time.sleep(1.0)  # not too often: a status request is no kernel request, but stays cheap
    [status] = zygote_status(own_rt)
    assert status["later"] == [] and status["unsafe"] is None and status["rc_changed"] == []
    assert status["import_warnings"] == [] and status["threads"] == 1
    km, kc = start(WARM, cwd=tmp_path, env=env)
    try:
        assert [z["pid"] for z in zygote_status(own_rt) if km.provisioner.pid in z["kernels"]] == [status["pid"]]
        assert value(kc, sm) == sorted(LATER)  # inherited from the zygote
        assert value(kc, fit) == during == 1.5
    finally:
        stop(km, kc)


def test_a_deferred_import_that_fails_leaves_the_zygote_serving(capsys):
    """Its kernels (a researcher's among them) live on; they import the module themselves."""
    from supportstats.kernels import zygote as zg

    class Stack:
        later = ["statsmodels.api"]

        def load_later(self):
            self.later.pop(0)
            raise ImportError("no module named statsmodels.api")

    z = zg.Zygote.__new__(zg.Zygote)
    z.pre = Stack()
    z._load_later()
    assert z.pre.later == [] and "deferred import failed" in capsys.readouterr().err
