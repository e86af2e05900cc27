"""The install (scripts/install.sh), the two README commands (./run) and CI (.ci/run).

scripts/install.sh runs here in a sandbox: a copy of the scripts, a PATH holding only the shell tools it
needs and recording stand-ins for apt-get, sudo, dpkg-query, id, npm and the system python3. The
stand-ins log every call, so the tests see what the script decided: which packages, through sudo or not,
which interpreter ran pip, whether a second run did anything at all. The real install on Debian's own
Python is what .ci/run does; test_ci_ran_on_debians_own_python checks that it did.
"""
from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

SYSTEM = ["chromium", "chromium-headless-shell", "fonts-dejavu-core", "fonts-liberation2", "poppler-utils"]
TOOLS = ["sh", "sed", "cut", "sha256sum", "tr", "cat", "rm", "grep", "env", "dirname", "mkdir", "head"]

# The system interpreter's stand-in: makes a fake venv (whose python is this same file), logs pip,
# and says whether ensurepip is there (Debian's python3-venv) from the fake dpkg database.
FAKE_PYTHON = f"""#!{sys.executable}
import os, pathlib, shutil, sys
me, args = pathlib.Path(sys.argv[0]).absolute(), sys.argv[1:]
if args[:1] != ["-c"]:  # checks (-c) are not logged: the log holds what the script did
    with open(os.environ["FAKE_LOG"], "a") as log:
        log.write("python " + str(me) + " " + " ".join(args) + "\\n")
if args[:2] == ["-m", "venv"]:
    venv = pathlib.Path(args[2])
    (venv / "bin").mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text("home = fake\\n")
    shutil.copy(me, venv / "bin" / "python")
elif args[:1] == ["-c"]:
    if "ensurepip" in args[1] and not (pathlib.Path(os.environ["FAKE_DPKG"]) / "python3-venv").exists():
        sys.exit(1)
    exec(args[1])
"""

STUBS = {
    "apt-get": """#!/bin/sh
echo "apt-get $* (DEBIAN_FRONTEND=${DEBIAN_FRONTEND:-})" >>"$FAKE_LOG"
if [ "$1" = install ]; then
  for p in "$@"; do
    case "$p" in -*|install) ;; *) : >"$FAKE_DPKG/$p" ;; esac
    if [ "$p" = npm ]; then cp "$FAKE_BIN/.npm" "$FAKE_BIN/npm"; fi
  done
fi
""",
    "dpkg-query": """#!/bin/sh
for last in "$@"; do :; done
if [ -e "$FAKE_DPKG/$last" ]; then echo "install ok installed"; else echo "no packages found matching $last" >&2; exit 1; fi
""",
    "sudo": """#!/bin/sh
echo "sudo $*" >>"$FAKE_LOG"
exec "$@"
""",
    "id": """#!/bin/sh
echo "$FAKE_UID"
""",
    ".npm": """#!/bin/sh
echo "npm $*" >>"$FAKE_LOG"
mkdir -p node_modules
""",
}


class Sandbox:
    """A copy of the install scripts with recording stand-ins on a PATH of their own."""

    def __init__(self, tmp: Path, installed=(*SYSTEM, "python3-venv"), uid=0, sudo=True, npm=True):
        self.proj, self.bin, self.dpkg, self.log = tmp / "proj", tmp / "bin", tmp / "dpkg", tmp / "calls.log"
        for d in (self.proj / "scripts", self.bin, self.dpkg):
            d.mkdir(parents=True)
        shutil.copy(ROOT / "scripts" / "install.sh", self.proj / "scripts" / "install.sh")
        shutil.copy(ROOT / "run", self.proj / "run")
        shutil.copy(ROOT / "pyproject.toml", self.proj / "pyproject.toml")
        for tool in TOOLS + ["cp"]:
            os.symlink(shutil.which(tool), self.bin / tool)
        for name, text in {**STUBS, "python3": FAKE_PYTHON}.items():
            if name == "sudo" and not sudo:
                continue
            (self.bin / name).write_text(text)
            (self.bin / name).chmod(0o755)
        if npm:
            shutil.copy(self.bin / ".npm", self.bin / "npm")
        for pkg in installed:
            (self.dpkg / pkg).touch()
        self.log.touch()
        self.env = {"PATH": str(self.bin), "HOME": str(tmp), "FAKE_LOG": str(self.log), "FAKE_DPKG": str(self.dpkg),
                    "FAKE_BIN": str(self.bin), "FAKE_UID": str(uid)}

    def run(self, *argv, **env) -> subprocess.CompletedProcess:
        before = self.log.read_text()
        proc = subprocess.run(["sh", *argv], cwd=self.proj, env={**self.env, **env}, capture_output=True,
                              text=True, timeout=60)
        proc.calls = self.log.read_text()[len(before):].splitlines()
        return proc

    def install(self, *parts, **env):
        return self.run("scripts/install.sh", *parts, **env)

    def pip_calls(self, calls):
        return [c for c in calls if " -m pip " in c]


@pytest.mark.e2e  # starts processes
def test_root_with_everything_there_creates_the_venv_once_and_never_touches_apt(tmp_path):
    box = Sandbox(tmp_path)
    first = box.install()
    assert first.returncode == 0, first.stderr
    assert not [c for c in first.calls if c.startswith(("apt-get", "sudo"))], first.calls
    system_python = f"python {box.bin / 'python3'} "
    venv_python = f"python {box.proj / '.venv' / 'bin' / 'python'} "
    assert system_python + "-m venv .venv" in first.calls
    [pip] = box.pip_calls(first.calls)
    assert pip.startswith(venv_python) and pip.endswith("install -q --disable-pip-version-check -e .[test]")
    assert not [c for c in first.calls if c.startswith(system_python) and " pip " in c], \
        "pip never runs on the system interpreter (Debian: externally-managed-environment)"
    assert not [c for c in first.calls if c.startswith("npm")], "no package.json, no npm"

    again = box.install()
    assert again.returncode == 0 and again.calls == [] and again.stdout == "", \
        "a second run with nothing changed does nothing (no pip, no apt)"


@pytest.mark.e2e  # starts processes
def test_pip_runs_again_only_when_pyproject_or_the_extras_change(tmp_path):
    box = Sandbox(tmp_path)
    box.install("python")
    lab = box.install("python", BRIEFPACK_EXTRAS="test,lab")
    assert box.pip_calls(lab.calls)[0].endswith("-e .[test,lab]")
    assert box.pip_calls(box.install("python").calls) == [], "test is already covered by test,lab"

    pyproject = box.proj / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + "\n# changed\n")
    changed = box.install("python")
    [pip] = box.pip_calls(changed.calls)
    assert pip.endswith("-e .[test,lab]"), "a changed pyproject.toml keeps the lab extra in step"
    assert box.pip_calls(box.install("python").calls) == []


@pytest.mark.e2e  # starts processes
def test_a_normal_user_gets_sudo_for_exactly_the_missing_packages(tmp_path):
    box = Sandbox(tmp_path, installed=["chromium", "fonts-dejavu-core"], uid=1000)
    proc = box.install("system", "python")
    assert proc.returncode == 0, proc.stderr
    missing = "chromium-headless-shell fonts-liberation2 poppler-utils"
    apt = [c for c in proc.calls if c.startswith("apt-get")]
    assert apt == [
        "apt-get update -qq (DEBIAN_FRONTEND=noninteractive)",
        f"apt-get install -y -qq --no-install-recommends {missing} (DEBIAN_FRONTEND=noninteractive)",
        "apt-get update -qq (DEBIAN_FRONTEND=noninteractive)",
        "apt-get install -y -qq --no-install-recommends python3-venv (DEBIAN_FRONTEND=noninteractive)",
    ]
    assert [c for c in proc.calls if c.startswith("sudo")] == [
        f"sudo env DEBIAN_FRONTEND=noninteractive apt-get {c.split(' ', 1)[1].rsplit(' (', 1)[0]}" for c in apt]
    venv_at = next(i for i, c in enumerate(proc.calls) if c.endswith("-m venv .venv"))
    assert venv_at > max(i for i, c in enumerate(proc.calls) if "python3-venv" in c), \
        "python3-venv (ensurepip) is installed before the venv is made"
    assert box.install("system", "python").calls == [], "once installed, nothing more"


@pytest.mark.e2e  # starts processes
def test_root_uses_apt_get_directly_and_a_user_without_sudo_is_told_what_to_do(tmp_path):
    root = Sandbox(tmp_path / "root", installed=SYSTEM[:-1] + ["python3-venv"], uid=0)
    proc = root.install("system")
    assert proc.returncode == 0, proc.stderr
    assert [c for c in proc.calls if "install" in c] == [
        "apt-get install -y -qq --no-install-recommends poppler-utils (DEBIAN_FRONTEND=noninteractive)"]
    assert not [c for c in proc.calls if c.startswith("sudo")]

    user = Sandbox(tmp_path / "user", installed=SYSTEM[:-1], uid=1000, sudo=False)
    denied = user.install("system")
    assert denied.returncode != 0 and denied.calls == []
    assert denied.stderr.strip() == ("install: error: installing poppler-utils needs root: "
                                     "run this as root, or install sudo.")


@pytest.mark.e2e  # starts processes
def test_npm_ci_from_the_lock_and_npm_from_apt_only_when_missing(tmp_path):
    box = Sandbox(tmp_path / "with-npm")
    (box.proj / "package.json").write_text('{"name": "x", "private": true}\n')
    (box.proj / "package-lock.json").write_text('{"lockfileVersion": 3}\n')
    first = box.install()
    assert [c for c in first.calls if c.startswith("npm")] == ["npm ci --no-audit --no-fund"]
    assert not [c for c in first.calls if c.startswith("apt-get")], "npm is there: never apt-get install npm"
    assert box.install().calls == []
    (box.proj / "package-lock.json").write_text('{"lockfileVersion": 3, "packages": {}}\n')
    assert [c for c in box.install("node").calls if c.startswith("npm")] == ["npm ci --no-audit --no-fund"]

    bare = Sandbox(tmp_path / "no-npm", npm=False)
    (bare.proj / "package.json").write_text('{"name": "x", "private": true}\n')
    (bare.proj / "package-lock.json").write_text('{"lockfileVersion": 3}\n')
    proc = bare.install("node")
    assert proc.returncode == 0, proc.stderr
    assert proc.calls == ["apt-get update -qq (DEBIAN_FRONTEND=noninteractive)",
                          "apt-get install -y -qq --no-install-recommends nodejs npm (DEBIAN_FRONTEND=noninteractive)",
                          "npm ci --no-audit --no-fund"]


@pytest.mark.e2e  # starts processes
def test_a_broken_venv_is_remade_and_a_foreign_folder_is_left_alone(tmp_path):
    box = Sandbox(tmp_path / "broken")
    box.install("python")
    (box.proj / ".venv" / "bin" / "python").unlink()  # e.g. the interpreter it was made from is gone
    proc = box.install("python")
    assert proc.returncode == 0, proc.stderr
    assert any(c.endswith("-m venv .venv") for c in proc.calls) and len(box.pip_calls(proc.calls)) == 1

    other = Sandbox(tmp_path / "foreign")
    (other.proj / ".venv").mkdir()
    (other.proj / ".venv" / "notes.txt").write_text("mine")
    proc = other.install("python")
    assert proc.returncode != 0 and proc.calls == []
    assert proc.stderr.strip() == ("install: error: .venv exists but is not a virtual environment; "
                                   "move it away and run this again.")
    assert (other.proj / ".venv" / "notes.txt").read_text() == "mine"


@pytest.mark.e2e  # starts processes
def test_run_installs_then_runs_in_the_venv(tmp_path):
    box = Sandbox(tmp_path)
    (box.proj / "package.json").write_text('{"name": "x", "private": true}\n')
    venv_python = f"python {box.proj / '.venv' / 'bin' / 'python'}"
    pack = box.run("run", "pack", "--only", "Banbury")
    assert pack.returncode == 0, pack.stderr
    assert pack.calls[-1] == f"{venv_python} build.py build --all --only Banbury"
    assert not [c for c in pack.calls if c.startswith("npm")], "building the pack needs no npm packages"
    test = box.run("run", "test", "-x", "tests/test_install.py")
    assert [c for c in test.calls if c.startswith("npm")] == ["npm install --no-audit --no-fund"]
    assert test.calls[-1] == f"{venv_python} -m pytest -x tests/test_install.py"
    wrong = box.run("run", "tests")
    assert wrong.returncode == 2 and wrong.stderr.startswith("usage: ./run pack|test")


def readme_commands() -> dict[str, str]:
    """The commands in the README's 'The two commands' block: {'pack': './run pack', ...}."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## The two commands", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    lines = [line.split("#", 1)[0].strip() for line in block.splitlines() if line.strip()]
    return {shlex.split(line)[1]: line for line in lines}


def test_readme_has_two_commands_and_ci_runs_the_test_command_as_written():
    commands = readme_commands()
    assert set(commands) == {"pack", "test"}
    ci = [line for line in (ROOT / ".ci" / "run").read_text().splitlines() if line.startswith("exec ")]
    assert len(ci) == 1
    words = shlex.split(ci[0])
    assert words[:3] == ["exec", "env", "-i"], "CI starts from an empty environment"
    settings = dict(w.split("=", 1) for w in words[3:] if "=" in w and not w.startswith("./"))
    assert settings["PATH"] == "/usr/sbin:/usr/bin:/sbin:/bin", "Debian's python3, not pyenv's or /usr/local's"
    command = " ".join(w for w in words[3:] if w.split("=", 1)[0] not in settings)
    assert command == commands["test"], "CI runs the README's test command, word for word"
    assert os.access(ROOT / "run", os.X_OK) and os.access(ROOT / ".ci" / "run", os.X_OK)


@pytest.mark.skipif(not os.environ.get("BRIEFPACK_CI"), reason="only under .ci/run")
def test_ci_ran_on_debians_own_python():
    """Under .ci/run: these very tests run in .venv, made from Debian's /usr/bin/python3 (which pip may
    not install into), with the minimal PATH."""
    assert Path(sys.prefix) == ROOT / ".venv"
    cfg = dict(line.split(" = ", 1) for line in (ROOT / ".venv" / "pyvenv.cfg").read_text().splitlines() if " = " in line)
    assert cfg["home"] == "/usr/bin"
    assert Path(f"/usr/lib/python3.{sys.version_info.minor}/EXTERNALLY-MANAGED").exists(), \
        "the base is Debian's protected interpreter, the one that made `make test` fail before"
    assert os.environ["PATH"] == "/usr/sbin:/usr/bin:/sbin:/bin"
