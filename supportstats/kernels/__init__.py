"""Warm kernels: Jupyter kernels forked from a process that has already imported the stack.

Importing pandas, numpy, scipy, statsmodels, seaborn and matplotlib costs a kernel about
3 CPU-seconds; a kernel forked from a zygote that has done it once is ready in a fraction
of one. The pieces, bottom up:

* :mod:`.fingerprint` — which requests one zygote may serve (interpreter, options, the
  environment read at start-up and import time, CPU set), and where zygotes live;
* :mod:`.stack` — what the zygote imports, the checks before it forks, and the probe of
  a cold kernel's BLAS thread counts;
* :mod:`.zygote` — the zygote process: serve requests, fork, lifetime;
* :mod:`.child` — what a forked process does to become the kernel a cold start would give;
* :mod:`.client` — the requester's side: find or start a zygote, ask it for a kernel
  (``spawn``), start one ahead of need (``prestart``), list or stop them;
* :mod:`.provisioner` — the jupyter_client kernel provisioner (``supportstats-warm``);
* :mod:`.spec` — the ``supportstats`` kernelspec that names the provisioner;
* :mod:`.ready` — a kernel client ready the moment the kernel answers (the runner's workers).

Nothing here is imported by ``import supportstats``; the module is not part of the flat
namespace.
"""
from .spec import DISPLAY_NAME, KERNEL_NAME, install_kernelspec

__all__ = ["KERNEL_NAME", "DISPLAY_NAME", "install_kernelspec"]
