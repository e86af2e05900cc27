"""environment.yml (conda users) lists the same dependencies as pyproject.toml, each a range."""
import tomllib
from importlib.metadata import PackageNotFoundError, version

import pytest
from conftest import ROOT, safe_yaml
from packaging.requirements import Requirement


def requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    listed = project["dependencies"] + [r for extra in project["optional-dependencies"].values() for r in extra]
    return [Requirement(r) for r in dict.fromkeys(listed)]


def test_environment_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = set(project["dependencies"]).union(*project["optional-dependencies"].values())
    env = safe_yaml((ROOT / "environment.yml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    listed = {p for p in pip if not p.startswith("-e")}
    assert listed == wanted
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python="))
    assert project["requires-python"] == ">=" + python.split("=")[1]


def test_jupyterlab_is_one_documented_extra():
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert [Requirement(p).name for p in extras["lab"]] == ["jupyterlab"]
    assert not any(Requirement(p).name == "jupyterlab" for name, reqs in extras.items() if name != "lab" for p in reqs), \
        "building and testing do not need JupyterLab"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "./run lab" in readme and '.[lab]' in readme
    assert "lab)" in (ROOT / "run").read_text() and "BRIEFPACK_EXTRAS=test,lab" in (ROOT / "run").read_text()


def test_each_dependency_is_a_range_from_a_tested_version_to_the_next_major():
    """No exact pin: a lower bound (the version the suite was run with) and an upper bound below the
    next major version (for 0.x, the next minor), so a compatible release installs and an
    incompatible one does not."""
    for req in requirements():
        ops = {spec.operator: spec.version for spec in req.specifier}
        assert set(ops) == {">=", "<"}, f"{req}: a range >=tested,<next-major"
        lower, upper = ops[">="], ops["<"]
        major, minor = (int(part) for part in lower.split(".")[:2])
        # 0.x: its minor versions may break, so the next minor is the bound
        assert upper == (str(major + 1) if major else f"0.{minor + 1}"), f"{req}: upper bound at the next major"


@pytest.mark.parametrize("req", requirements(), ids=str)
def test_the_installed_version_is_in_range(req):
    """What this environment runs the suite with is what the ranges allow (the "newest" CI job runs
    it with the newest they allow)."""
    try:
        installed = version(req.name)
    except PackageNotFoundError:
        pytest.skip(f"{req.name} is not installed here (an extra)")
    assert req.specifier.contains(installed, prereleases=True), f"{req.name} {installed} is outside {req.specifier}"
