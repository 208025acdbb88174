"""The hosted workflow (.github/workflows/ci.yml) and its step-2 script, checked offline.

The workflow is validated against the GitHub workflow schema that check-jsonschema ships
(`--builtin-schema vendor.github-workflows`), with every proxy pointed at a closed port so
that a schema fetched from the network would fail the test instead of passing quietly.
"""
import os
import re
import stat
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from supportstats.paths import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "ci.yml"
WHATIF = ROOT / ".github" / "scripts" / "whatif.sh"
CHECK = Path(sys.executable).parent / "check-jsonschema"
OFFLINE = {"HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9",
           "http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9", "NO_PROXY": ""}


def validate(*files: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(CHECK), "--builtin-schema", "vendor.github-workflows", *map(str, files)],
                          capture_output=True, text=True, env={**os.environ, **OFFLINE}, timeout=120)


def workflow() -> dict:
    doc = yaml.safe_load(WORKFLOW.read_text())
    doc["on"] = doc.pop(True, doc.get("on"))  # YAML 1.1 reads the key `on` as True
    return doc


def test_workflow_validates_against_the_published_schema_offline():
    result = validate(WORKFLOW)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "validation done" in result.stdout


BREAKS = [
    lambda s: s.replace("    runs-on: ubuntu-24.04\n", ""),
    lambda s: s.replace("timeout-minutes: 60", "timeout-minutes: sixty"),
    lambda s: s.replace("        run: bash .ci/run\n", "        run: bash .ci/run\n        uses: actions/checkout@v4\n"),
    lambda s: s.replace("  pull_request:", "  pull_requests:"),
]


def test_the_schema_check_catches_a_broken_workflow(tmp_path):
    files = []
    for i, break_it in enumerate(BREAKS):
        broken = break_it(WORKFLOW.read_text())
        assert broken != WORKFLOW.read_text()
        files.append(tmp_path / f"broken{i}.yml")
        files[-1].write_text(broken)
    result = validate(*files)  # one run for all: the check takes seconds to start
    assert result.returncode == 1
    for f in files:
        assert f"{f}::" in result.stdout, f"{f.name} passed the schema check"


def test_workflow_runs_the_project_ci_then_the_whatif_step_with_pinned_python_and_cached_venv():
    doc = workflow()
    assert set(doc["on"]) == {"push", "pull_request"}
    (job,) = doc["jobs"].values()
    assert job["runs-on"].startswith("ubuntu")
    steps = job["steps"]
    python = next(s for s in steps if s.get("uses", "").startswith("actions/setup-python@"))
    version = python["with"]["python-version"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda_python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python="))
    assert version.startswith(conda_python.removeprefix("python=") + ".")  # 3.11.7 within python=3.11
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert requires == ">=3.11" and tuple(map(int, version.split("."))) >= (3, 11)
    cache = next(s for s in steps if s.get("uses", "").startswith("actions/cache@"))
    assert cache["with"]["path"] == ".venv"
    assert "hashFiles('pyproject.toml', 'constraints.txt')" in cache["with"]["key"] and version in cache["with"]["key"]
    runs = [s.get("run", "") for s in steps]
    assert runs.index("bash .ci/run") < runs.index("bash .github/scripts/whatif.sh")
    assert steps.index(cache) < runs.index("bash .ci/run")
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@"))
    paths = upload["with"]["path"].split()
    assert {"ci-artifacts/", "runs/ci/reports/", "runs/ci/figures/"} <= set(paths)
    whatif = next(s for s in steps if s.get("run") == "bash .github/scripts/whatif.sh")
    assert whatif["if"] == upload["if"] == "success() || failure()"  # the diff also after nbval failed
    assert whatif["env"]["WHATIF_OUT"] == "ci-artifacts"
    text = WHATIF.read_text()
    assert '"$ss" reproduce --name ci' in text
    assert '"$ss" diff HEAD runs/ci --format markdown > "$out/findings-diff.md"' in text
    assert '>> "$summary"' in text and "GITHUB_STEP_SUMMARY" in text


STUB = """#!/usr/bin/env bash
echo "$*" >> "$STUB_LOG"
case "$1" in
  reproduce) exit "$RUN_RC" ;;
  diff)
    if [[ "$*" == *--verdicts-only* ]]; then exit "$VERDICT_RC"; fi
    if [[ "$*" == *markdown* ]]; then echo "### Findings: table"; fi
    exit "$DIFF_RC" ;;
esac
"""


@pytest.mark.parametrize("run_rc, diff_rc, verdict_rc, status, annotation", [
    (0, 0, 0, 0, None),
    (0, 1, 0, 0, "::notice title=Findings moved::"),
    (0, 1, 1, 0, "::warning title=Verdicts changed::"),
    (1, 1, 1, 1, "::error title=What-if run failed::"),
    (0, 2, 2, 2, "::error title=Findings diff failed::"),
])
def test_whatif_step_fails_only_when_something_is_broken(tmp_path, run_rc, diff_rc, verdict_rc, status,
                                                          annotation):
    stub = tmp_path / "supportstats"
    stub.write_text(STUB)
    stub.chmod(stub.stat().st_mode | stat.S_IXUSR)
    summary, out, log = tmp_path / "summary.md", tmp_path / "out", tmp_path / "log"
    env = {**os.environ, "SUPPORTSTATS": str(stub), "WHATIF_OUT": str(out), "GITHUB_STEP_SUMMARY": str(summary),
           "STUB_LOG": str(log), "RUN_RC": str(run_rc), "DIFF_RC": str(diff_rc), "VERDICT_RC": str(verdict_rc)}
    env.pop("GITHUB_BASE_REF", None)
    result = subprocess.run(["bash", str(WHATIF)], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == status, result.stdout + result.stderr
    assert summary.read_text().startswith("### Findings: table")
    assert (out / "findings-diff.md").read_text() == "### Findings: table\n"
    calls = log.read_text().splitlines()
    assert calls[0] == "reproduce --name ci"
    assert "diff HEAD runs/ci --format markdown" in calls and "diff HEAD runs/ci --verdicts-only" in calls
    annotations = [line for line in result.stdout.splitlines() if line.startswith("::")]
    assert [a for a in annotations if annotation and a.startswith(annotation)] or (annotation is None and not annotations)
    # on a pull request, the summary also says what the PR's committed findings change
    result = subprocess.run(["bash", str(WHATIF)], capture_output=True, text=True, timeout=60,
                            env={**env, "GITHUB_BASE_REF": "main"})
    assert "diff origin/main HEAD --format markdown" in log.read_text()
    assert re.search(r"against `main`", summary.read_text())
