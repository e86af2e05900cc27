"""The command line: subcommands, each with only its own options, derived from the one definition of a
briefing's parameters; earlier releases' forms still work, with a one-line note of the new form."""
from __future__ import annotations

import pytest

from briefpack.app import cli
from briefpack.request import inputs


@pytest.mark.parametrize("old,new", [
    (["--constituency", "Banbury", "--club", "X"], ["build", "--constituency", "Banbury", "--club", "X"]),
    (["--all", "--dry-run"], ["build", "--all", "--dry-run"]),
    (["--serve", "--port", "8123"], ["serve", "--port", "8123"]),
    (["--list", "--parliament", "scottish"], ["list", "--parliament", "scottish"]),
    (["--index-only", "--out", "x"], ["index", "--out", "x"]),
    (["--all", "--index-only", "--out", "pack"], ["index", "--out", "pack"]),
    (["--progress", "--as-of", "2026-12-01"], ["progress", "--as-of", "2026-12-01"]),
    (["--topics", "all", "--formats", "html"], ["topics", "all", "--formats", "html"]),
    (["--topic", "children", "--topic", "data", "--jobs", "1"], ["topics", "children", "data", "--jobs", "1"]),
    (["--topics=children,data"], ["topics", "children", "data"]),
    (["--refresh-members"], ["refresh-members"]),
    (["--refresh-members", "members.csv", "--as-of", "2026-11-30"],
     ["refresh-members", "members.csv", "--as-of", "2026-11-30"]),
    (["--refresh-members", "--as-of", "2026-11-30"], ["refresh-members", "--as-of", "2026-11-30"]),
])
def test_an_earlier_form_runs_as_its_subcommand_with_a_note(old, new):
    argv, note = cli.modernise(old)
    assert argv == new
    assert note == f"note: the new form is `build.py {' '.join(new)}` (the old one still works)."
    cli.parser().parse_args(argv)   # and the new form parses


@pytest.mark.parametrize("argv", [["build", "--all"], ["list"], ["--help"], []])
def test_the_new_form_is_left_alone(argv):
    assert cli.modernise(argv) == (argv, "")


def test_each_subcommand_has_only_its_own_options(capsys):
    with pytest.raises(SystemExit):
        cli.parser().parse_args(["serve", "--concerns", "data,training"])
    assert "unrecognized arguments: --concerns" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.parser().parse_args(["list", "--club", "X"])


def test_the_build_options_are_the_parameters_of_the_one_definition(capsys):
    for name in inputs.BRIEFING:
        f = inputs.FIELDS[name]
        if isinstance(f.default, bool):   # a switch
            assert getattr(cli.parser().parse_args(["build", f.option]), name) is True
            continue
        value = "scottish" if name == "parliament" else "x"
        args = cli.parser().parse_args(["build", f.option, value])
        assert getattr(args, name) in (value, [value]), f"{f.option} does not set {name}"
    with pytest.raises(SystemExit):
        cli.parser().parse_args(["build", "--help"])
    shown = " ".join(capsys.readouterr().out.split())
    for name in inputs.BRIEFING:
        assert inputs.FIELDS[name].option in shown


def test_a_bad_value_is_one_line_naming_the_option(capsys):
    code = cli.main(["build", "--constituency", "Banbury", "--meeting-date", "4 Dec"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1
    assert err[0].startswith("error: The meeting date (--meeting-date) '4 Dec' is not written as YYYY-MM-DD")


def test_list_prints_the_constituencies_in_process(capsys):
    from conftest import read_csv

    assert cli.main(["list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(read_csv("westminster_constituencies_2024"))
    code = cli.main(["--list"])
    captured = capsys.readouterr()
    assert code == 0 and captured.out.splitlines() == lines
    assert captured.err.strip() == "note: the new form is `build.py list` (the old one still works)."
