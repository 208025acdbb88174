"""The conda route (environment.yml) and the pip route (pyproject + constraints.txt) must agree."""
import re
import subprocess
import tomllib

import pytest
import yaml

from supportstats.paths import ROOT


def _constraints():
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        m = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;]+)", line)
        if m:
            pins[m.group(1).lower().replace("_", "-")] = m.group(2)
    return pins


def _env_pins():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pins = {}
    for dep in env["dependencies"]:
        if isinstance(dep, str) and "==" in dep:
            name, version = dep.split("==")
            pins[name.strip().lower().replace("_", "-")] = version.strip()
    return env, pins


def _direct_deps():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    deps = project["dependencies"] + project["optional-dependencies"]["test"]
    return {re.split(r"[<>=\[ ;]", d)[0].lower().replace("_", "-") for d in deps}


def test_every_direct_dependency_is_pinned_in_constraints():
    missing = _direct_deps() - set(_constraints())
    assert not missing, f"pyproject dependencies without a pin in constraints.txt: {sorted(missing)}"


def test_environment_yml_lists_every_direct_dependency_with_the_same_pin():
    _, env = _env_pins()
    pins = _constraints()
    missing = _direct_deps() - set(env)
    assert not missing, f"environment.yml lacks {sorted(missing)}"
    wrong = {n: (v, pins.get(n)) for n, v in env.items() if pins.get(n) != v}
    assert not wrong, f"environment.yml pin != constraints.txt pin: {wrong}"


def test_environment_yml_installs_the_package_itself_under_the_same_constraints():
    env, _ = _env_pins()
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert "-e ." in pip and "-c constraints.txt" in pip
    assert "python=3.11" in env["dependencies"]


def test_makefile_installs_under_the_constraints_file():
    makefile = (ROOT / "Makefile").read_text()
    assert "-c constraints.txt" in makefile
    assert ".venv" in makefile


def test_setup_pins_the_build_backend_and_checks_the_installer():
    """Issue 11, case 8: setuptools was unpinned at build time and uv installed without a hash."""
    makefile = (ROOT / "Makefile").read_text()
    assert "--build-constraints constraints.txt" in makefile
    assert "--require-hashes -r requirements-bootstrap.txt" in makefile
    assert re.search(r"^setuptools==\d", (ROOT / "constraints.txt").read_text(), flags=re.M)
    bootstrap = (ROOT / "requirements-bootstrap.txt").read_text()
    assert re.search(r"^uv==[\d.]+ \\\n\s+--hash=sha256:[0-9a-f]{64}", bootstrap, flags=re.M)


@pytest.mark.parametrize("target", ["setup", "reproduce", "test", "lab", "review", "bench"])
def test_make_compiles_the_packages_bytecode_before_anything_imports_it(target):
    """The package is installed editable: uv's --compile-bytecode compiles none of it, and with
    PYTHONDONTWRITEBYTECODE set every zygote, runner and test process compiled it again."""
    recipe = subprocess.run(["make", "-n", target], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    lines = recipe.splitlines()
    compiles = [i for i, line in enumerate(lines) if re.search(r"-m compileall -q supportstats$", line)]
    assert compiles, recipe
    uses = [i for i, line in enumerate(lines) if re.search(r"bin/(supportstats|jupyter)|-m (pytest|supportstats|benchmarks)", line)]
    assert all(compiles[0] < i for i in uses), recipe
