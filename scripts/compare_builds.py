#!/usr/bin/env python3
"""Build the same sample of briefings with two commits of briefpack and compare the outputs.

Each commit is checked out into its own git worktree and runs in its own virtual environment made
from that tree's pyproject.toml, so each tree runs its own code, notebooks, templates, content and data.
The builds use each tree's README build command (``build.py build ...`` where the README says so, else
``build.py ...``). Then every output file is compared: bytes first; HTML and other text as a unified
diff; a PDF by its page count, ``pdftotext -layout`` text and ``pdfimages -list``; a letter (.docx) by
each member of the zip, document.xml and core.xml above all. Every normalisation applied before a text
comparison is listed in the report.

Usage (from a checkout of the project; only the standard library and git, poppler-utils are needed):

    /usr/bin/python3 scripts/compare_builds.py OLD NEW [--seat NAME ...] [--msp-seat NAME ...]
        [--concerns KEYS] [--work DIR] [--report FILE] [--jobs N] [--constraints FILE | --pin-to-old]
        [--keep] [--compare-only] [--no-control]

    /usr/bin/python3 scripts/compare_builds.py 6829f2e 66053cd --report /tmp/cmp/report.md
    /usr/bin/python3 scripts/compare_builds.py 6829f2e 82c92ab --pin-to-old   # the new one has version ranges

The worktrees and virtual environments are removed at the end unless --keep; the outputs, diffs and
report stay in --work (default /tmp/compare-builds).
"""
from __future__ import annotations

import argparse
import difflib
import filecmp
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

# Three Westminster seats or more from each nation: Makerfield and Aberdeen South had by-elections
# (data/mp_change_notes.csv), York Central's member changed party; Ynys Môn and Montgomeryshire and
# Glyndŵr have letters outside ASCII.
SEATS = [
    "Banbury", "Makerfield", "York Central",
    "Ynys Môn", "Cardiff East", "Montgomeryshire and Glyndŵr",
    "Aberdeen South", "Edinburgh South", "Na h-Eileanan an Iar",
    "Belfast East", "Foyle", "Fermanagh and South Tyrone",
]
MSP_SEATS = ["Edinburgh Central"]   # a Scottish Parliament constituency in both the 2011 and 2026 lists
DEFAULT_ALT_CONCERNS = "data,aftercare,commissioner"
# The options of the README's example, with a fixed letter date so both builds print the same one.
CUSTOM = ["--club", "Soroptimist International Banbury", "--meeting-date", "2026-12-04",
          "--sender-name", "Jane Smith", "--address", "1 High St, Banbury, OX16 5AA",
          "--letter-date", "2026-12-01",
          "--personal-note", "Our club meets monthly and has raised this with local councillors."]


def run(cmd, cwd=None, env=None, check=True, log=None) -> subprocess.CompletedProcess:
    p = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if log is not None:
        log.write(f"$ {' '.join(map(str, cmd))}   # in {cwd}\n{p.stdout}{p.stderr}\n[exit {p.returncode}]\n\n")
        log.flush()
    if check and p.returncode:
        sys.exit(f"error: {' '.join(map(str, cmd))} failed ({p.returncode}):\n{p.stderr[-3000:]}")
    return p


FROM_SRC = "import sys; sys.path.insert(0, 'src'); import briefpack; print(briefpack.__file__)"


class Tree:
    """One commit: its worktree, its virtual environment and how to run its build."""

    def __init__(self, repo: Path, commit: str, work: Path, label: str):
        self.repo, self.label = repo, label
        self.sha = run(["git", "rev-parse", "--verify", commit + "^{commit}"], cwd=repo).stdout.strip()
        self.subject = run(["git", "log", "-1", "--format=%s", self.sha], cwd=repo).stdout.strip()
        self.path = work / "trees" / f"{label}-{self.sha[:10]}"
        self.venv = work / "venvs" / f"{label}-{self.sha[:10]}"
        self.notes: list[str] = []
        self.installed = True

    @property
    def python(self) -> str:
        return str(self.venv / "bin" / "python")

    def env(self) -> dict:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("BRIEFPACK_") and k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
        env["PATH"] = f"{self.venv / 'bin'}:{env.get('PATH', '/usr/bin:/bin')}"
        env["VIRTUAL_ENV"] = str(self.venv)
        return env

    def checkout(self, log) -> None:
        if not (self.path / ".git").exists():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            run(["git", "worktree", "add", "--detach", str(self.path), self.sha], cwd=self.repo, log=log)
        head = run(["git", "rev-parse", "HEAD"], cwd=self.path).stdout.strip()
        if head != self.sha:
            sys.exit(f"error: {self.path} is at {head}, not {self.sha}; remove it or choose another --work.")

    def install(self, log, constraints: str | None) -> None:
        self.constraints = constraints
        marker = self.venv / ".compare-builds-installed"
        if not marker.exists():
            run(["/usr/bin/python3", "-m", "venv", "--clear", str(self.venv)], log=log)
            pip = [str(self.venv / "bin" / "pip"), "install", "-q", "--disable-pip-version-check"]
            cons = ["-c", constraints] if constraints else []
            for req in sorted(self.path.glob("requirements*.txt")):
                run(pip + ["-r", str(req)] + cons, cwd=self.path, log=log)
            run(pip + ["-e", str(self.path)] + cons, cwd=self.path, log=log)
            marker.write_text(self.sha + "\n")
        fallback = self.venv / ".compare-builds-fallback"   # an earlier run found the install broken
        if fallback.exists():
            self.notes.append(fallback.read_text(encoding="utf-8"))
            self.installed = False
            self.where = run([self.python, "-c", FROM_SRC], cwd=self.path, env=self.env(), log=log).stdout.strip()
        else:
            self._probe(log)
        if not self.where.startswith(str(self.path)):
            sys.exit(f"error: {self.label} imports briefpack from {self.where}, not from {self.path}")
        self.kernels = run([str(self.venv / "bin" / "jupyter"), "kernelspec", "list"], env=self.env(),
                           check=False, log=log).stdout.strip()
        freeze = run([str(self.venv / "bin" / "pip"), "freeze", "--exclude-editable"], env=self.env(), log=log)
        self.freeze = freeze.stdout

    def _probe(self, log) -> None:
        """Does this tree run from its own installed package? If not, run it as a fresh clone does."""
        where = run([self.python, "-c", "import briefpack; print(briefpack.__file__)"], cwd="/",
                    env=self.env(), check=False, log=log)
        probe = run([self.python, "build.py", "--help"], cwd=self.path, env=self.env(), check=False, log=log)
        if where.returncode == 0 and probe.returncode == 0:
            self.where = where.stdout.strip()
        else:
            last = (probe.stderr.strip().splitlines() or ["(no message)"])[-1]
            self.notes.append(
                f"`pip install -e .` of this tree installs, but `build.py --help` then fails: `{last}`. "
                "Built with the package uninstalled from the venv (its dependencies kept) and the "
                "src/briefpack.egg-info that the install left removed (papermill finds entry points there "
                "too), so build.py's fallback puts the tree's src/ on sys.path and the kernel gets it "
                "through PYTHONPATH: as a fresh clone runs before any install.")
            run([str(self.venv / "bin" / "pip"), "uninstall", "-y", "-q", "briefpack"], log=log)
            for info in (self.path / "src").glob("*.egg-info"):
                shutil.rmtree(info)
            self.installed = False
            where = run([self.python, "-c", FROM_SRC], cwd=self.path, env=self.env(), log=log)
            run([self.python, "build.py", "--help"], cwd=self.path, env=self.env(), log=log)
            self.where = where.stdout.strip()
            (self.venv / ".compare-builds-fallback").write_text(self.notes[-1], encoding="utf-8")

    def build_prefix(self) -> list[str]:
        """The README's build command: `build.py build ...` once the command line has subcommands."""
        readme = (self.path / "README.md").read_text(encoding="utf-8")
        return ["build.py", "build"] if "build.py build --constituency" in readme else ["build.py"]

    def build(self, variant: str, args: list[str], out: Path, log) -> tuple[list[str], int]:
        if out.exists():
            shutil.rmtree(out)
        cmd = [self.python] + self.build_prefix() + args + ["--out", str(out)]
        p = run(cmd, cwd=self.path, env=self.env(), check=False, log=log)
        if p.returncode:
            print(f"  {self.label} {variant}: build failed ({p.returncode}); see the log", file=sys.stderr)
        return cmd, p.returncode

    def remove(self, log) -> None:
        run(["git", "worktree", "remove", "--force", str(self.path)], cwd=self.repo, check=False, log=log)
        shutil.rmtree(self.venv, ignore_errors=True)


# ---------------------------------------------------------------- comparison


def normaliser(a: Tree, b: Tree, out_a: Path, out_b: Path):
    """Paths that differ only because the trees and outputs live in different folders."""
    pairs = [(str(out_a), str(out_b), "<OUT>"), (str(a.path), str(b.path), "<TREE>"),
             (str(a.venv), str(b.venv), "<VENV>")]

    def norm(text: str, side: int) -> tuple[str, list[str]]:
        used = []
        for pa, pb, token in pairs:
            p = (pa, pb)[side]
            if p in text:
                text = text.replace(p, token)
                used.append(f"{p} -> {token}")
        return text, used
    return norm


def udiff(ta: str, tb: str, name: str, context: int = 2) -> list[str]:
    return list(difflib.unified_diff(ta.splitlines(), tb.splitlines(), f"old/{name}", f"new/{name}",
                                     n=context, lineterm=""))


def tool(cmd: list[str]) -> str:
    p = subprocess.run(cmd, capture_output=True, text=True, check=False)
    return p.stdout if p.returncode == 0 else f"[{cmd[0]} failed: {p.stderr.strip()}]"


PDF_DATES = re.compile(rb"/(CreationDate|ModDate) ?\(D:[^)]*\)")
# Chromium's tagged PDF names table cells by DOM node id (/ID (node00000026), /Headers [(node00000026)]):
# the ids count the nodes the browser made before, so they vary between two builds of the same commit.
PDF_NODE_IDS = re.compile(rb"\(node\d{8}\)")


def compare_pdf(fa: Path, fb: Path) -> tuple[str, list[str]]:
    pages = [re.search(r"Pages:\s+(\d+)", tool(["pdfinfo", str(f)])) for f in (fa, fb)]
    pages = [m.group(1) if m else "?" for m in pages]
    text = [tool(["pdftotext", "-layout", str(f), "-"]) for f in (fa, fb)]
    images = [tool(["pdfimages", "-list", str(f)]) for f in (fa, fb)]
    da, db = (PDF_DATES.sub(rb"/\1(D:*)", f.read_bytes()) for f in (fa, fb))
    na, nb = (PDF_NODE_IDS.sub(b"(node########)", d) for d in (da, db))
    parts = [f"pages {pages[0]}/{pages[1]}" + (" same" if pages[0] == pages[1] else " DIFFER"),
             "text same" if text[0] == text[1] else "text DIFFERS",
             "images same" if images[0] == images[1] else "images DIFFER",
             "bytes same once /CreationDate and /ModDate are blanked" if da == db else
             "bytes same once the dates and the tagged-PDF node ids are blanked" if na == nb else
             "bytes differ beyond the dates and node ids"]
    diff = []
    if text[0] != text[1]:
        diff += udiff(text[0], text[1], fa.name + " (pdftotext -layout)")
    if images[0] != images[1]:
        diff += udiff(images[0], images[1], fa.name + " (pdfimages -list)")
    return "; ".join(parts), diff


def compare_docx(fa: Path, fb: Path, norm) -> tuple[str, list[str]]:
    with zipfile.ZipFile(fa) as za, zipfile.ZipFile(fb) as zb:
        names_a, names_b = set(za.namelist()), set(zb.namelist())
        parts, diff = [], []
        if names_a != names_b:
            parts.append(f"members differ: only old {sorted(names_a - names_b)}, only new {sorted(names_b - names_a)}")
        differing = [n for n in sorted(names_a & names_b) if za.read(n) != zb.read(n)]
        for key in ("word/document.xml", "docProps/core.xml"):
            if key in names_a & names_b:
                parts.append(f"{key.split('/')[-1]} {'DIFFERS' if key in differing else 'same'}")
        others = [n for n in differing if n not in ("word/document.xml", "docProps/core.xml")]
        parts.append(f"other members differing: {others}" if others else "other members same")
        for n in differing:
            ta = za.read(n).decode("utf-8", "replace")
            tb = zb.read(n).decode("utf-8", "replace")
            # XML in one line: one element a line so that the diff shows what changed
            ta, tb = (re.sub(r"(</[^>]+>)\s*</", "\\1\n</", re.sub(r">\s*<(?!/)", ">\n<", t)) for t in (ta, tb))
            diff += udiff(ta, tb, f"{fa.name}:{n}", context=3)
    return "; ".join(parts), diff


def compare_jsonl(ta: str, tb: str) -> tuple[str, list[str]]:
    """The manifest, one JSON record a line: which fields and which of its inputs differ, per record."""
    ra = {r.get("key", i): r for i, r in enumerate(map(json.loads, ta.splitlines()))}
    rb = {r.get("key", i): r for i, r in enumerate(map(json.loads, tb.splitlines()))}
    lines, changed_keys = [], set()
    for key in sorted(set(ra) | set(rb), key=str):
        a, b = ra.get(key, {}), rb.get(key, {})
        if a == b:
            continue
        fields = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k) and k != "inputs")
        ia, ib = a.get("inputs", {}), b.get("inputs", {})
        inputs = sorted(k for k in set(ia) | set(ib) if ia.get(k) != ib.get(k))
        shown = [f"{k} ({'added' if k not in ia else 'removed' if k not in ib else 'changed'})" for k in inputs]
        changed_keys.update(re.sub(r"\[.*\]$", "[...]", k) for k in inputs)
        lines.append(f"{key}: fields {fields}; inputs {', '.join(shown)}")
    return (f"DIFFERS in {len(lines)} of {len(set(ra) | set(rb))} records; inputs that differ: "
            f"{', '.join(sorted(changed_keys))}"), lines


def compare(a: Tree, b: Tree, out_a: Path, out_b: Path, diffs: Path) -> list[dict]:
    norm = normaliser(a, b, out_a, out_b)
    files = sorted({p.relative_to(out_a) for p in out_a.rglob("*") if p.is_file()} |
                   {p.relative_to(out_b) for p in out_b.rglob("*") if p.is_file()})
    rows = []
    for rel in files:
        fa, fb = out_a / rel, out_b / rel
        row = {"file": str(rel), "size": f"{fa.stat().st_size if fa.exists() else '-'}/"
                                          f"{fb.stat().st_size if fb.exists() else '-'}"}
        if not fa.exists() or not fb.exists():
            row["result"] = "only in " + ("new" if fb.exists() else "old")
            rows.append(row)
            continue
        if filecmp.cmp(fa, fb, shallow=False):
            row["result"] = "byte-identical"
            rows.append(row)
            continue
        diff: list[str] = []
        suffix = fa.suffix.lower()
        if suffix == ".pdf":
            row["result"], diff = compare_pdf(fa, fb)
        elif suffix == ".docx":
            row["result"], diff = compare_docx(fa, fb, norm)
        else:
            try:
                ta, tb = fa.read_text(encoding="utf-8"), fb.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                row["result"] = "binary, differs"
                rows.append(row)
                continue
            (na, used_a), (nb, used_b) = norm(ta, 0), norm(tb, 1)
            used = sorted(set(used_a) | set(used_b))
            if suffix == ".jsonl" and na != nb:
                try:
                    row["result"], diff = compare_jsonl(na, nb)
                except ValueError:
                    pass
            if "result" in row:
                pass
            elif na == nb:
                row["result"] = "same once normalised (" + "; ".join(used) + ")"
            else:
                diff = udiff(na, nb, str(rel))
                changed = sum(1 for ln in diff if ln[:1] in "+-" and not ln.startswith(("+++", "---")))
                row["result"] = f"DIFFERS: {changed} changed lines" + (
                    f" after normalising ({'; '.join(used)})" if used else "")
        if diff:
            target = diffs / (str(rel).replace("/", "__") + ".diff")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text("\n".join(diff) + "\n", encoding="utf-8")
            row["diff"] = str(target)
        rows.append(row)
    return rows


def variants(seats, msp_seats, concerns, tree: Tree) -> dict[str, list[str]]:
    cons = [a for s in seats for a in ("--constituency", s)]
    out = {"westminster-default": cons,
           "westminster-custom": cons + ["--concerns", concerns] + CUSTOM}
    readme = (tree.path / "README.md").read_text(encoding="utf-8")
    if msp_seats and "--parliament scottish" in readme:
        msp = ["--parliament", "scottish"] + [a for s in msp_seats for a in ("--constituency", s)]
        out["msp-default"] = msp
        out["msp-custom"] = msp + ["--concerns", concerns] + CUSTOM
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--seat", action="append", help="a Westminster seat (repeat); default: 12 across the four nations")
    ap.add_argument("--msp-seat", action="append", help="a Scottish Parliament seat (repeat); default Edinburgh Central")
    ap.add_argument("--concerns", default=DEFAULT_ALT_CONCERNS, help="the non-default concern set")
    ap.add_argument("--work", default="/tmp/compare-builds", type=Path)
    ap.add_argument("--report", type=Path, help="default: WORK/report.md")
    ap.add_argument("--jobs", default="1", help="build.py --jobs (default 1)")
    ap.add_argument("--constraints", help="a pip constraints file for both venvs (e.g. one tree's pip freeze)")
    ap.add_argument("--pin-to-old", action="store_true",
                    help="install the new tree with the old venv's versions (its pip freeze as constraints), for a "
                         "new commit with version ranges")
    ap.add_argument("--keep", action="store_true", help="keep the worktrees and venvs")
    ap.add_argument("--compare-only", action="store_true",
                    help="no builds: compare the outputs an earlier run left in --work (with --keep)")
    ap.add_argument("--no-control", action="store_true",
                    help="skip the control (the old commit built a second time, to tell noise from change)")
    args = ap.parse_args()
    repo = Path(run(["git", "rev-parse", "--show-toplevel"]).stdout.strip())
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    report = args.report or work / "report.md"
    seats, msp_seats = args.seat or SEATS, args.msp_seat or MSP_SEATS
    with open(work / "log.txt", "a", encoding="utf-8") as log:
        return compare_commits(args, repo, work, report, seats, msp_seats, log)


def compare_commits(args, repo: Path, work: Path, report: Path, seats, msp_seats, log) -> int:
    trees = [Tree(repo, args.old, work, "old"), Tree(repo, args.new, work, "new")]
    builds = {}
    try:
        constraints = args.constraints
        for t in trees:
            print(f"{t.label}: {t.sha[:10]} {t.subject[:70]}", file=sys.stderr)
            t.checkout(log)
            t.install(log, constraints)
            if args.pin_to_old and t is trees[0]:
                pins = work / "old-freeze.txt"
                pins.write_text(t.freeze, encoding="utf-8")
                constraints = str(pins)
        if trees[0].freeze != trees[1].freeze:
            (work / "freeze.diff").write_text("\n".join(udiff(trees[0].freeze, trees[1].freeze, "pip-freeze")) + "\n")
        for t in trees if not args.compare_only else []:
            for name, vargs in variants(seats, msp_seats, args.concerns, t).items():
                print(f"  building {t.label} {name}", file=sys.stderr)
                builds[(t.label, name)] = t.build(name, vargs + ["--jobs", args.jobs],
                                                  work / "out" / t.label / name, log)
        if not args.no_control and not args.compare_only:
            old = trees[0]
            for name, vargs in variants(seats, msp_seats, args.concerns, old).items():
                print(f"  building old again (control) {name}", file=sys.stderr)
                builds[("old-again", name)] = old.build(name, vargs + ["--jobs", args.jobs],
                                                        work / "out" / "old-again" / name, log)
        saved = work / "commands.json"
        if args.compare_only:
            if not saved.exists():
                sys.exit(f"error: no {saved}: --compare-only needs the --work folder of an earlier run.")
            builds = {tuple(k.split(" ", 1)): tuple(v) for k, v in json.loads(saved.read_text()).items()}
        else:
            saved.write_text(json.dumps({" ".join(k): v for k, v in builds.items()}, indent=1))
        datadiff = run(["git", "diff", "--stat", trees[0].sha, trees[1].sha, "--",
                        "content", "data", "templates", "notebooks"], cwd=repo).stdout
        results = {}
        for name in sorted({n for (_, n) in builds}):
            if ("old", name) in builds and ("new", name) in builds:
                results[name] = compare(trees[0], trees[1], work / "out" / "old" / name,
                                        work / "out" / "new" / name, work / "diffs" / name)
        control = {}
        for name in sorted({n for (label, n) in builds if label == "old-again"}):
            control[name] = compare(trees[0], trees[0], work / "out" / "old" / name,
                                    work / "out" / "old-again" / name, work / "diffs-control" / name)
        write_report(report, trees, seats, msp_seats, args, builds, results, datadiff, work, control)
        print(f"report: {report}", file=sys.stderr)
    finally:
        if not args.keep:
            for t in trees:
                t.remove(log)
            for folder in (work / "trees", work / "venvs"):
                if folder.exists() and not any(folder.iterdir()):
                    folder.rmdir()
    return 0


def write_report(path: Path, trees, seats, msp_seats, args, builds, results, datadiff, work, control) -> None:
    old, new = trees
    L = [f"# Build comparison: {old.sha[:10]} vs {new.sha[:10]}", "",
         f"- old: `{old.sha}` {old.subject}", f"- new: `{new.sha}` {new.subject}", "",
         f"Westminster seats: {', '.join(seats)}.  ", f"Scottish Parliament seats: {', '.join(msp_seats)}.  ",
         f"Non-default concerns: `{args.concerns}` with the README's example options.", "",
         "## Content, data, templates and notebooks between the two commits", "",
         "```", (datadiff.strip() or "(no difference)"), "```", "",
         "## Environments", ""]
    for t in trees:
        L += [f"- {t.label}: venv `{t.venv}`, `import briefpack` -> `{t.where}`"
              + ("" if t.installed else " (not installed: see the note)")
              + (f"; installed with the constraints in `{t.constraints}`" if t.constraints else ""),
              f"  kernels: `{' '.join(t.kernels.split())}`"]
        L += [f"  - note: {n}" for n in t.notes]
    L += ["", "pip freeze (without the editable briefpack) is "
          + ("the same in both venvs." if old.freeze == new.freeze else f"different: see `{work / 'freeze.diff'}`."),
          "", "## Commands", ""]
    for (label, name), (cmd, code) in sorted(builds.items()):
        shown = " ".join(f'"{c}"' if (" " in c or not c) else c for c in cmd[1:])
        L.append(f"- {label} {name} (exit {code}): `python {shown}`")
    L += ["", "## Outcome per file", "",
          ("Normalisations: text files are compared again with the output folder, the tree's folder and the "
           "venv's folder replaced by <OUT>, <TREE> and <VENV> (the two builds run in different folders); "
           "a PDF's bytes are compared again with /CreationDate and /ModDate blanked (the time of printing), "
           "then also with the tagged-PDF node ids (node00000026) blanked (Chromium's DOM node counter; the "
           "control shows them varying between two builds of the same commit). Nothing else is normalised."),
          ""]
    if control:
        L += ["## Control: the old commit built twice", "",
              "What differs here differs between two builds of the same code: noise, not a change.", ""]
        for name, rows in control.items():
            noisy = "; ".join(f"{r['file']}: {r['result']}" for r in rows if r["result"] != "byte-identical")
            L.append(f"- {name}: {noisy or 'all byte-identical'}")
        L.append("")
    for name, rows in results.items():
        L += [f"### {name}", "", "| file | bytes old/new | result |", "| --- | --- | --- |"]
        L += [f"| {r['file']} | {r['size']} | {r['result']} |" for r in rows]
        L.append("")
        shown: dict[str, str] = {}
        for r in rows:
            if r.get("diff"):
                text = Path(r["diff"]).read_text(encoding="utf-8").splitlines()
                # the same change in another seat's file (the same lines added and removed): shown once
                body = "\n".join(ln for ln in text if ln[:1] in "+-" and not ln.startswith(("---", "+++")))
                body = hashlib.sha256((body or "\n".join(text)).encode()).hexdigest()
                if body in shown:
                    L.append(f"- {r['file']}: the same difference as {shown[body]} (`{r['diff']}`)")
                    continue
                shown[body] = r["file"]
                L += ["", f"{r['file']}: {len(text)} diff lines (`{r['diff']}`)", "",
                      "```diff"] + [ln[:300] for ln in text[:60]] + (["... (cut)"] if len(text) > 60 else []) + ["```", ""]
        L.append("")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(L) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
