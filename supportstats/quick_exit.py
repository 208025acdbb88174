"""End a process as Python's exit does, short of its finalization.

Finalization frees every object of every loaded module, one by one. In a process that has
loaded the stack (pandas, nbconvert, papermill: ~0.3 CPU-seconds for the ``supportstats``
command after a run) or that was forked from one (a warm kernel: finalizing writes to,
and so copies, most of the zygote's heap), that is work nobody sees the result of. What a
user can see of an exit still happens, in Python's order: non-daemon threads are joined,
atexit functions run (logging's flush, weakref finalizers such as temporary folders'
clean-up, multiprocessing's reaping of its children, IPython's clearing of a kernel's
namespace), the standard streams are flushed, and the exit code is the one ``sys.exit``
would give.
"""
from __future__ import annotations

import atexit
import os
import sys
import threading

__all__ = ["exit_now"]


def exit_now(code=0):
    """End the process with ``code`` (``sys.exit``'s argument: None, an int or a message).

    Examples
    --------
    >>> import subprocess, sys
    >>> subprocess.run([sys.executable, "-c", "import atexit, supportstats.quick_exit as q; "
    ...                 "atexit.register(print, 'atexit ran'); q.exit_now(3)"],
    ...                capture_output=True, text=True)  # doctest: +ELLIPSIS
    CompletedProcess(args=[...], returncode=3, stdout='atexit ran\\n', stderr='')
    """
    try:
        threading._shutdown()  # what Py_FinalizeEx does first
    except Exception:  # noqa: BLE001  (never keep the process from ending)
        pass
    atexit._run_exitfuncs()
    if code is None:
        code = 0
    elif not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001  (a closed or replaced stream, a reader gone)
            pass
    os._exit(code & 0xFF)
