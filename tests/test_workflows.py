"""The GitHub workflows: the pack in shards and their merge, the weekly members refresh, and security
(actions pinned to commits, least permissions, no persisted credentials; zizmor when installed)."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import ROOT, run_build, safe_yaml

WORKFLOWS = ROOT / ".github" / "workflows"
SHA_PIN = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$")
# Write permissions a job may hold, and why: anything else is read-only or nothing.
WRITES = {("refresh-members.yml", "refresh"): {"contents": "write", "pull-requests": "write"}}


def load(name: str) -> dict:
    return safe_yaml((WORKFLOWS / name).read_text(encoding="utf-8"))


def triggers(wf: dict) -> dict:
    return wf.get("on", wf.get(True))  # YAML 1.1 reads the key `on` as True


def steps(wf: dict, job: str) -> list[dict]:
    return wf["jobs"][job]["steps"]


def test_pack_rebuilds_on_input_changes_in_shards():
    wf = load("pack.yml")
    paths = triggers(wf)["push"]["paths"]
    for p in ("data/**", "notebooks/**", "content/**", "templates/**", "src/**", "run", "scripts/install.sh"):
        assert p in paths
    build_job = wf["jobs"]["build"]
    shards = build_job["strategy"]["matrix"]["shard"]
    assert build_job["env"] == {"SHARD": "${{ matrix.shard }}", "SHARDS": len(shards)}
    runs = [s.get("run", "") for s in build_job["steps"]]
    assert 'sh run pack --shard "$SHARD/$SHARDS" --out briefings' in runs, "the README's pack command, one shard"
    uses = " ".join(s.get("uses", "") for s in build_job["steps"])
    assert "actions/cache/restore@" in uses and "actions/cache/save@" in uses and "upload-artifact@" in uses
    merge = " ".join(s.get("run", "") for s in steps(wf, "pack"))
    assert "scripts/merge_shards.py --out pack shards/briefings-shard-*" in merge and "build.py index --out pack" in merge


def test_pack_installs_with_the_install_script_in_debian():
    wf = load("pack.yml")
    for job in ("build", "pack"):
        assert wf["jobs"][job]["container"].startswith("debian:12@sha256:")
        runs = [s.get("run", "") for s in steps(wf, job)]
        assert any(r.startswith("sh scripts/install.sh") for r in runs), job
        assert not any("pip install" in r for r in runs), "the install goes through scripts/install.sh (.venv)"
        commands = [line for run in runs for line in run.splitlines() if line]
        assert all(line.startswith(("sh ", ".venv/bin/python ")) for line in commands), commands


@pytest.mark.e2e
def test_merging_shards_keeps_every_recorded_file_and_a_usable_manifest(tmp_path):
    """Two real shards of a small selection, merged as CI does: letters included, the merged manifest
    one line per briefing and good enough that the next build finds both up to date."""
    shards = []
    for k in (1, 2):
        out = tmp_path / "shards" / f"briefings-shard-{k}"
        proc = run_build("--all", "--only", "Banbury", "Hitchin", "--shard", f"{k}/2", "--formats", "html,docx",
                         "--jobs", "1", "--out", str(out))
        assert proc.returncode == 0, proc.stderr
        shards.append(out)
    stale = tmp_path / "shards" / "briefings-shard-3"  # a record whose file is gone, and a cut line
    stale.mkdir()
    record = json.loads((shards[0] / "manifest.jsonl").read_text().splitlines()[0])
    record.update(slug="oxford-east", outputs=["oxford-east.html"])
    (stale / "manifest.jsonl").write_text(json.dumps(record) + '\n{"slug": "cut sh')

    pack = tmp_path / "pack"
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "merge_shards.py"), "--out", str(pack),
                           *map(str, shards), str(stale)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"merged: 2 briefings (4 files) from 3 shards into {pack}"
    assert "oxford-east left out (missing: oxford-east.html)" in proc.stderr

    lines = (pack / "manifest.jsonl").read_text().splitlines()
    merged = {json.loads(line)["slug"]: json.loads(line) for line in lines}
    assert len(lines) == 2 and set(merged) == {"banbury", "hitchin"}
    for shard in shards:
        for line in (shard / "manifest.jsonl").read_text().splitlines():
            rec = json.loads(line)
            assert merged[rec["slug"]] == rec
            assert any(name.endswith("-letter.docx") for name in rec["outputs"]), "the letter is recorded"
            for name in rec["outputs"]:
                assert (pack / name).read_bytes() == (shard / name).read_bytes(), name

    index = run_build("--all", "--index-only", "--out", str(pack))
    assert index.returncode == 0, index.stderr
    page = BeautifulSoup((pack / "index.html").read_text(encoding="utf-8"), "lxml")
    links = [a["href"] for a in page.select("#seats a[href]")]
    assert {"banbury-letter.docx", "hitchin-letter.docx"} <= set(links)
    assert all((pack / href).exists() for href in links)
    again = run_build("--constituency", "Banbury", "--constituency", "Hitchin", "--formats", "html,docx",
                      "--out", str(pack), "--dry-run")
    assert "dry run: 0 to build, 2 up to date" in again.stdout, again.stdout + again.stderr


def test_newest_job_tests_the_newest_versions_the_ranges_allow():
    wf = load("newest.yml")
    on = triggers(wf)
    assert "workflow_dispatch" in on and on["schedule"], "weekly: new releases come without a change of ours"
    assert {"pyproject.toml", "environment.yml", "src/**", "tests/**"} <= set(on["push"]["paths"])
    [job] = wf["jobs"].values()
    assert job["container"].startswith("debian:12@sha256:")
    runs = [s.get("run", "") for s in job["steps"]]
    upgrade = runs.index('.venv/bin/python -m pip install --upgrade --upgrade-strategy eager -e ".[test]"')
    assert runs.index(".venv/bin/python -m pytest") > upgrade
    assert runs.index("sh scripts/install.sh system python node") < upgrade


def test_refresh_members_workflow_structure():
    wf = load("refresh-members.yml")
    on = triggers(wf)
    assert "workflow_dispatch" in on
    [cron] = [s["cron"] for s in on["schedule"]]
    minute, hour, day, month, weekday = cron.split()
    assert (day, month) == ("*", "*") and re.fullmatch(r"[0-6]", weekday), f"weekly: {cron}"
    assert wf["permissions"] == {}
    [job] = wf["jobs"]
    assert wf["jobs"][job]["permissions"] == {"contents": "write", "pull-requests": "write"}
    s = steps(wf, job)
    refresh = next(st for st in s if st.get("id") == "refresh")
    assert ".venv/bin/python build.py refresh-members >" in refresh["run"]
    pr = s[-1]
    assert pr["if"] == "steps.refresh.outputs.changed == 'true'"
    assert pr["run"] == 'sh scripts/refresh_pr.sh "$RUNNER_TEMP/changes.txt"'
    with_token = [st.get("name", st.get("uses")) for st in s if "secrets." in json.dumps(st)]
    assert with_token == [pr["name"]] and pr["env"]["GH_TOKEN"] == "${{ secrets.GITHUB_TOKEN }}", \
        "the token reaches the push and pull-request step only, not the code that fetches data"


def git(*args, cwd, env):
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True).stdout


@pytest.fixture
def refresh_repo(tmp_path):
    """A clone of a tiny repository (data/ and the PR script) with a local bare origin, a stand-in
    `gh` that logs its calls, and a stand-in `.venv/bin/python` for the refresh command."""
    if not shutil.which("git"):
        pytest.skip("git is not installed")
    env = {"PATH": f"{tmp_path / 'bin'}:{os.environ['PATH']}", "HOME": str(tmp_path), "GIT_CONFIG_NOSYSTEM": "1"}
    src = tmp_path / "src"
    (src / "data").mkdir(parents=True)
    (src / "scripts").mkdir()
    (src / "data" / "mps_current.csv").write_text("gss_code,member\nE14001072,Sean Woodcock\n")
    shutil.copy(ROOT / "scripts" / "refresh_pr.sh", src / "scripts")
    git("init", "-q", "-b", "main", cwd=src, env=env)
    git("add", ".", cwd=src, env=env)
    git("-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "start", cwd=src, env=env)
    git("clone", "-q", "--bare", str(src), str(tmp_path / "origin.git"), cwd=tmp_path, env=env)
    work = tmp_path / "work"
    git("clone", "-q", str(tmp_path / "origin.git"), str(work), cwd=tmp_path, env=env)
    (tmp_path / "bin").mkdir()
    gh = tmp_path / "bin" / "gh"
    gh.write_text('#!/bin/sh\necho "gh $*" >>"$GH_LOG"\n'
                  'while [ $# -gt 0 ]; do [ "$1" = --body-file ] && cp "$2" "$GH_LOG.body"; shift; done\n'
                  'echo "${GH_OPEN_PR:-}"\n')
    gh.chmod(0o755)
    (work / ".venv" / "bin").mkdir(parents=True)
    (work / ".git" / "info" / "exclude").write_text(".venv/\n")
    temp = tmp_path / "runner"
    temp.mkdir()
    env.update(RUNNER_TEMP=str(temp), GITHUB_OUTPUT=str(temp / "output"), GH_LOG=str(tmp_path / "gh.log"))
    return work, env, tmp_path


def run_step(step: dict, work: Path, env: dict, refresh: str) -> subprocess.CompletedProcess:
    """Run a workflow step's script as the runner does (bash -e), with `refresh` as the refresh command."""
    python = work / ".venv" / "bin" / "python"
    python.write_text("#!/bin/sh\n" + refresh)
    python.chmod(0o755)
    values = {"GH_TOKEN": "t0ken-for-test", "GH_REPO": "owner/briefpack", "BASE": "main"}
    step_env = {k: values[k] for k in step.get("env", {})}  # what the step declares, with test values
    return subprocess.run(["bash", "-e", "-c", step["run"]], cwd=work, env={**env, **step_env},
                          capture_output=True, text=True, timeout=60)


@pytest.mark.e2e  # starts processes
def test_refresh_opens_a_pull_request_with_the_change_list_only_when_members_changed(refresh_repo):
    work, env, tmp = refresh_repo
    wf = load("refresh-members.yml")
    [job] = wf["jobs"]
    refresh_step, pr_step = next(s for s in steps(wf, job) if s.get("id") == "refresh"), steps(wf, job)[-1]
    output = Path(env["GITHUB_OUTPUT"])

    # Nothing changed: the refresh prints its list, the PR step's condition stays false.
    same = run_step(refresh_step, work, env, 'echo "No member changed."\n')
    assert same.returncode == 0 and "nothing to do" in same.stdout
    assert not output.exists() or "changed=true" not in output.read_text()

    # A failed validation fails the job, and changes nothing.
    bad = run_step(refresh_step, work, env, 'echo "error: 649 seats, expected 650" >&2; exit 1\n')
    assert bad.returncode != 0 and git("status", "--porcelain", cwd=work, env=env) == ""

    # One member changed: a branch with the data, and a pull request whose body is the change list.
    changes = "Makerfield (E14001353): Josh Simons (Labour) -> Andy Burnham (Labour Co-op)"
    edit = (f"sed -i 's/Sean Woodcock/Sean Q. Woodcock/' data/mps_current.csv\necho '{changes}'\n")
    changed = run_step(refresh_step, work, env, edit)
    assert changed.returncode == 0 and changes in changed.stdout
    assert "changed=true" in output.read_text()
    opened = run_step(pr_step, work, env, "")
    assert opened.returncode == 0, opened.stderr
    remote = tmp / "origin.git"
    files = git("diff", "--name-only", "main", "refresh-members", cwd=remote, env=env).split()
    assert files == ["data/mps_current.csv"]
    assert git("log", "-1", "--format=%an", "refresh-members", cwd=remote, env=env).strip() == "github-actions[bot]"
    calls = Path(env["GH_LOG"]).read_text().splitlines()
    assert calls[0].startswith("gh pr list --head refresh-members --base main --state open")
    assert re.fullmatch(r"gh pr create --base main --head refresh-members --title Refresh sitting members "
                        r"\(\d{4}-\d\d-\d\d\) --body-file \S+", calls[1])
    assert Path(env["GH_LOG"] + ".body").read_text().startswith(changes + "\n")
    assert "t0ken" not in (work / ".git" / "config").read_text(), "the token is not kept in the clone"

    # Next week, with the pull request still open: the branch is replaced and the same PR updated.
    git("switch", "-q", "main", cwd=work, env=env)
    git("checkout", "-q", "--", "data", cwd=work, env=env)
    run_step(refresh_step, work, env, edit.replace("Sean Q. Woodcock", "S. Woodcock"))
    again = run_step(pr_step, work, {**env, "GH_OPEN_PR": "7"}, "")
    assert again.returncode == 0 and "updated pull request #7" in again.stdout
    assert Path(env["GH_LOG"]).read_text().splitlines()[-1].startswith("gh pr edit 7 --title Refresh sitting members")
    assert "S. Woodcock" in git("show", "refresh-members:data/mps_current.csv", cwd=remote, env=env)


def all_workflows():
    return sorted(p.name for p in WORKFLOWS.glob("*.yml"))


@pytest.mark.parametrize("name", all_workflows())
def test_workflow_is_pinned_least_privileged_and_keeps_no_credentials(name):
    text = (WORKFLOWS / name).read_text(encoding="utf-8")
    wf = safe_yaml(text)
    assert wf["permissions"] == {}, "nothing granted at the top: each job says what it needs"
    assert not {"pull_request_target", "workflow_run"} & set(triggers(wf)), "no privileged triggers"
    for job_name, job in wf["jobs"].items():
        granted = job.get("permissions")
        assert isinstance(granted, dict), f"{job_name}: permissions stated per job"
        writes = {k: v for k, v in granted.items() if v == "write"}
        assert writes == {k: v for k, v in WRITES.get((name, job_name), {}).items()}, job_name
        assert set(granted.values()) <= {"read", "write", "none"}
        image = job.get("container")
        if image:
            assert re.search(r"@sha256:[0-9a-f]{64}$", image if isinstance(image, str) else image["image"])
        for step in job["steps"]:
            if "uses" in step:
                assert SHA_PIN.match(step["uses"]), f"{step['uses']}: pin to a full commit SHA"
                line = next(line for line in text.splitlines() if step["uses"] in line)
                assert re.search(r"# v\d+(\.\d+)*$", line), f"{step['uses']}: say the version in a comment"
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False
            assert "${{" not in step.get("run", ""), "expressions go through env:, never into a script"
            if "secrets." in json.dumps(step):
                assert (name, job_name) in WRITES, "only the job that must write sees a token"


def test_each_action_has_one_pin_across_workflows():
    pins = {}
    for name in all_workflows():
        for ref in re.findall(r"uses: (\S+)@(\S+) # (\S+)", (WORKFLOWS / name).read_text()):
            pins.setdefault(ref[0].split("/")[0] + "/" + ref[0].split("/")[1], set()).add(ref[1:])
    assert pins and all(len(v) == 1 for v in pins.values()), pins


def zizmor() -> str | None:
    found = Path(sys.executable).parent / "zizmor"
    return str(found) if found.exists() else shutil.which("zizmor")


@pytest.mark.skipif(zizmor() is None, reason="zizmor is not installed (it is in the test extras)")
def test_zizmor_finds_nothing():
    proc = subprocess.run([zizmor(), "--offline", "--format", "json", "--no-exit-codes", str(WORKFLOWS)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    findings = [f"{f['ident']} ({f['determinations']['severity']}): "
                f"{f['locations'][0]['concrete']['feature']}" for f in json.loads(proc.stdout)]
    assert findings == []
