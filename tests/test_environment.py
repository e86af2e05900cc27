"""environment.yml (conda users) lists the same dependencies as pyproject.toml."""
import tomllib

import yaml
from conftest import ROOT


def test_environment_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = set(project["dependencies"]).union(*project["optional-dependencies"].values())
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    listed = {p for p in pip if not p.startswith("-e")}
    assert listed == wanted
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python="))
    assert project["requires-python"] == ">=" + python.split("=")[1]


def test_jupyterlab_is_one_documented_extra():
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert [p.split("==")[0] for p in extras["lab"]] == ["jupyterlab"]
    assert not any(p.startswith("jupyterlab") for name, pins in extras.items() if name != "lab" for p in pins), \
        "building and testing do not need JupyterLab"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "./run lab" in readme and '.[lab]' in readme
    assert "lab)" in (ROOT / "run").read_text() and "BRIEFPACK_EXTRAS=test,lab" in (ROOT / "run").read_text()
