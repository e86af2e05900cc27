"""The command line: gather parameters, call the package, print one line per problem."""
from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from argon2 import PasswordHasher

from briefpack.app import logs, store
from briefpack.app.msps_refresh import refresh as refresh_msps
from briefpack.app.refresh import refresh
from briefpack.app.reports_web import Settings as ReportSettings
from briefpack.app.web import serve
from briefpack.build import plan, select
from briefpack.build.distributed import executor as dask_executor
from briefpack.build.jobs import BUILT, FAILED, FORMATS, UP_TO_DATE, WOULD_BUILD, Job
from briefpack.build.manifest import Manifest
from briefpack.build.pack import (
    OutputLock,
    build_pack,
    check_output_folder,
    write_pack_index,
)
from briefpack.build.pool import build_jobs, worker_limit
from briefpack.build.progress import Progress, stages_line
from briefpack.build.select import describe
from briefpack.core import paths
from briefpack.core.atomic import write_atomic
from briefpack.core.errors import BriefpackError, InputError
from briefpack.data.catalogue import check_tables
from briefpack.places import campaign, geography, msps
from briefpack.places.geography import SCOTTISH
from briefpack.render.letters import read_personal_note, sender_warnings
from briefpack.request import inputs
from briefpack.request.inputs import topics
from briefpack.words import campaigns, claims
from briefpack.words.content import DEFAULT_CONCERNS, concern_keys, keys_help
from briefpack.words.topics import topic_keys

EPILOG = """examples:
  python build.py build --constituency "Banbury" --concerns training,children,policing --club "Soroptimist International Banbury"
  python build.py build --constituency E14001072 --formats html --out /tmp/briefings
  python build.py build --all           # every Westminster constituency; only what changed is rebuilt
  python build.py build --all --dry-run # what would be rebuilt, and why
  python build.py topics all            # the topic briefings
  python build.py list                  # the constituencies
  python build.py serve --port 8000     # the web page

The forms of earlier releases, with no subcommand (--constituency ..., --all, --serve, --topics, --list, ...) still
work: each is run as the subcommand it stands for, with a one-line note of the new form."""

COMMANDS = ("build", "topics", "progress", "serve", "refresh-members", "refresh-msps", "list", "index", "claims", "db")
DB_OPTIONS = ("--db-upgrade", "--import-tracker", "--export-tracker", "--tracker-columns", "--add-coordinator", "--purge",
              "--backup")
# An earlier release's mode option -> its subcommand (the first one present wins, as it did then).
LEGACY_MODES = (("--claims", "claims"), ("--serve", "serve"), ("--refresh-members", "refresh-members"),
                ("--refresh-msps", "refresh-msps"), ("--list", "list"),
                ("--index-only", "index"), ("--progress", "progress"), ("--topics", "topics"), ("--topic", "topics"))


def _add_field(group, name: str, *aliases: str, **extra) -> None:
    """A command-line option derived from the one definition of the parameter (briefpack.request.inputs)."""
    f = inputs.FIELDS[name]
    if isinstance(f.default, bool):   # a yes/no parameter is a switch
        group.add_argument(f.option, *aliases, action="store_true", help=f.help, dest=name)
        return
    default = ",".join(f.default) if isinstance(f.default, (list, tuple)) else f.default
    options = {"default": "" if name in ("concerns",) else default, "metavar": f.metavar,
               "help": f"{f.help} (default: {default or 'blank'})", "dest": name}
    options.update(extra)
    group.add_argument(f.option, *aliases, **options)


def _add_run_options(p, formats: bool = True, jobs: bool = True) -> None:
    run = p.add_argument_group("how to build")
    run.add_argument("--out", default=None, metavar="DIR", help="output folder (default: briefings/)")
    if formats:
        run.add_argument("--formats", default="html,pdf,docx",
                         help="any of html, pdf, docx (the letter), comma-separated (default: all three)")
    if jobs:
        run.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1,
                         help="worker processes (default: cores)")
    run.add_argument("--force", action="store_true", help="rebuild even what is up to date")
    run.add_argument("--dry-run", action="store_true", help="list what would be rebuilt and why; build nothing")
    run.add_argument("--executor", choices=("local", "dask"), default="local",
                     help="local worker processes (default) or a dask.distributed cluster")
    run.add_argument("--scheduler", metavar="ADDRESS",
                     help="with --executor dask: the scheduler, e.g. tcp://10.0.0.5:8786 (default: a LocalCluster)")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="build.py", description="Build modern slavery briefings for MPs and MSPs.",
                                epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)

    b = sub.add_parser("build", help="constituency briefings and letters (one seat, several, or --all)",
                       description="Build constituency briefings: HTML, PDF and the letter.")
    what = b.add_argument_group("what to build")
    _add_field(what, "constituency", "-c", action="append", default=None)
    what.add_argument("--all", action="store_true", help="every constituency of the parliament (650 or 73)")
    _add_field(what, "parliament", choices=("westminster", "scottish"))
    what.add_argument("--only", nargs="+", metavar="NAME_OR_GSS", help="with --all: just these constituencies")
    what.add_argument("--shard", metavar="K/N", help="with --all: the K-th of N equal parts (1-based), for CI matrices")
    what.add_argument("--campaign", metavar="FOLDER", default="",
                      help="another campaign's folder (its campaign.yml, content/ and notebooks/, e.g. examples/turnout); "
                           "default: this project's modern-slavery campaign; its briefings go to briefings/<name>/")
    opts = b.add_argument_group("briefing options")
    _add_field(opts, "concerns", help=f"2-3 of: {keys_help(concern_keys)}, comma-separated "
                                      f"(default: {','.join(DEFAULT_CONCERNS)}; the files of content/concerns/)")
    for name in inputs.BRIEFING:
        if name not in ("constituency", "parliament", "concerns"):
            _add_field(opts, name)
    opts.add_argument("--personal-note-file", default="", metavar="PATH",
                      help="the personal note, read from a UTF-8 text file")
    _add_run_options(b)

    t = sub.add_parser("topics", help="topic briefings (national figures, one per concern or theme)",
                       description="Build topic briefings.")
    t.add_argument("topics", nargs="+", metavar="KEY",
                   help=f"topic keys, or all: {keys_help(topic_keys)} (the files of content/topics/)")
    _add_run_options(t)

    g = sub.add_parser("progress", help="the coordinators' progress report (progress.html, .pdf)",
                       description="The progress report from data/campaign/tracker.csv.")
    _add_field(g, "as_of")
    _add_run_options(g)

    s = sub.add_parser("serve", help="the web page and JSON API, until Ctrl-C",
                       description="Run the web page and JSON API with warm workers (see README, 'The web page').")
    s.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    s.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    s.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1, help="warm workers (default: cores)")

    r = sub.add_parser("refresh-members", help="bring the newest list of sitting MPs into data/",
                       description="Fetch (or read) the list of sitting MPs, check it, print what changed seat by "
                                   "seat, and replace data/mps_current.csv only when it is valid.")
    r.add_argument("source", nargs="?", default=None, metavar="URL_OR_FILE",
                   help="default: the Department for Education's daily file (the sidecar's address)")
    r.add_argument("--as-of", dest="as_of", default="", metavar="YYYY-MM-DD",
                   help="the date the new file is as at (default: today for a download, the file's date for a file)")

    m = sub.add_parser("refresh-msps", help="bring a newer list of MSPs into data/",
                       description="Read a list of Members of the Scottish Parliament (a CSV with the columns of "
                                   "data/msps_current.csv, from a file or an address), check it (73 constituencies, 8 "
                                   "regions of 7, no member twice), print what changed, and replace the file only "
                                   "when it is valid.")
    m.add_argument("source", metavar="FILE_OR_URL", help="the new list (see README, 'Members of the Scottish Parliament')")
    m.add_argument("--as-of", dest="as_of", default="", metavar="YYYY-MM-DD",
                   help="the date the new list is as at (default: today for a download, the file's date for a file)")

    d = sub.add_parser("db", help="the campaign database: upgrade, import or export the tracker, coordinators, "
                                  "purge, backup", description="The campaign database (see README, 'Clubs report back').")
    d.add_argument("--db-upgrade", action="store_true", help="make or upgrade the database (the server does this too)")
    d.add_argument("--import-tracker", nargs="?", const="", default=None, metavar="CSV",
                   help="read a tracker CSV into the database (default data/campaign/tracker.csv)")
    d.add_argument("--export-tracker", nargs="?", const="-", default=None, metavar="CSV",
                   help="write the database as a tracker CSV (default: to standard output); it holds contact "
                        "details (personal data): never commit it")
    d.add_argument("--tracker-columns", choices=tuple(store.LAYOUTS), default="all",
                   help="with --export-tracker: all (every report and field, the default), no-contacts (the same "
                        "without contact details) or original (the nine columns of data/campaign/tracker.csv as "
                        "shipped: Westminster seats only, one row a seat; says what it leaves out)")
    d.add_argument("--add-coordinator", metavar="NAME",
                   help="make a coordinator's account, or set its password (read from standard input)")
    d.add_argument("--purge", action="store_true",
                   help="remove uploads and contact details older than BRIEFPACK_RETENTION_DAYS (default 365)")
    d.add_argument("--backup", metavar="FILE", help="copy the database (and uploads) while the server runs")

    ls = sub.add_parser("list", help="list the constituencies", description="List the constituencies.")
    _add_field(ls, "parliament", choices=("westminster", "scottish"))

    sub.add_parser("claims", help="print the claims register, for a reviewer",
                   description="Every statement of the law, a power or a document in content/, with its source "
                               "and the passage it rests on, then any problem (exit 1 if there is one).")

    i = sub.add_parser("index", help="rewrite index.html from the manifest (e.g. after merging CI shards)",
                       description="Rewrite index.html in --out from its manifest.")
    i.add_argument("--out", default=None, metavar="DIR", help="output folder (default: briefings/)")
    return p


def modernise(argv) -> tuple[list[str], str]:
    """An earlier release's command line -> (the same request as a subcommand, a one-line note of the new
    form, or '' when ``argv`` already starts with a subcommand)."""
    argv = list(argv)
    if not argv or argv[0] in COMMANDS or argv[0] in ("-h", "--help"):
        return argv, ""
    present = [(flag, command) for flag, command in LEGACY_MODES
               if any(a == flag or a.startswith(flag + "=") for a in argv)]
    if any(a.split("=", 1)[0] in DB_OPTIONS for a in argv):
        new = ["db", *argv]
    elif not present:
        new = ["build", *argv]
    else:
        flag, command = present[0]
        if command == "topics":
            values, rest = _pop(argv, ("--topic", "--topics"), optional=False)
            new = ["topics", *[k for v in values for k in v.split(",") if k], *rest]
        elif command in ("refresh-members", "refresh-msps"):
            values, rest = _pop(argv, (flag,), optional=command == "refresh-members")
            new = [command, *[v for v in values if v], *rest]
        elif command == "index":   # it rewrote the index of --out and ignored the rest
            values, _ = _pop(argv, ("--out",), optional=False)
            new = ["index", *(["--out", values[-1]] if values else [])]
        else:
            new = [command, *[a for a in argv if a != flag]]
    return new, f"note: the new form is `build.py {' '.join(new)}` (the old one still works)."


def _pop(argv: list[str], flags, optional: bool) -> tuple[list[str], list[str]]:
    """(the values of ``flags``, the other arguments); an optional value is one that is not an option."""
    values, rest, i = [], [], 0
    while i < len(argv):
        arg = argv[i]
        name = arg.split("=", 1)[0]
        if name in flags and "=" in arg:
            values.append(arg.split("=", 1)[1])
        elif arg in flags:
            following = argv[i + 1] if i + 1 < len(argv) else None
            if following is not None and not (optional and following.startswith("-")):
                values.append(following)
                i += 1
            else:
                values.append("")
        else:
            rest.append(arg)
        i += 1
    return values, rest


def _formats(value: str) -> tuple:
    items = [f.strip().lower() for f in value.split(",") if f.strip()]
    bad = [f for f in items if f not in FORMATS]
    if bad or not items:
        raise InputError(f"Unknown format {bad[0] if bad else value!r}; use html, pdf, docx or a list such as html,pdf.")
    return tuple(dict.fromkeys(items))


class Terminated(KeyboardInterrupt):
    """SIGTERM: handled like Ctrl-C, with the exit code a terminated process gives."""

    exit_code = 143


def _on_sigterm(signum, frame):
    raise Terminated()


def main(argv=None) -> int:
    import signal

    argv, note = modernise(sys.argv[1:] if argv is None else argv)
    if note:
        print(note, file=sys.stderr)
    args = parser().parse_args(argv)
    logs.configure()
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    chosen = os.environ.get("BRIEFPACK_CAMPAIGN")
    try:
        return _main(args)
    except BriefpackError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:
        print("stopped: nothing was changed; run the same command again to go on.", file=sys.stderr)
        return getattr(exc, "exit_code", 130)
    finally:
        signal.signal(signal.SIGTERM, previous)
        if chosen is None:          # --campaign holds for this command only (tests call main() in-process)
            os.environ.pop("BRIEFPACK_CAMPAIGN", None)
        else:
            os.environ["BRIEFPACK_CAMPAIGN"] = chosen


def _requests(args) -> list[str]:
    if args.all:
        return select.pack_seats(args.parliament, args.only, args.shard)
    if args.only or args.shard:
        raise InputError("--only and --shard go with --all.")
    if not args.constituency:
        raise InputError("Say which constituency: --constituency NAME, or --all (`build.py list` shows them).")
    return list(args.constituency)


def _out(args) -> Path:
    if args.out:
        return Path(args.out)
    c = campaigns.current()
    return paths.briefings_dir() if c.is_project else paths.briefings_dir() / c.name


def _use_campaign(folder: str) -> None:
    """``build --campaign FOLDER``: build that campaign's briefings (the workers and their kernels inherit
    the choice through the environment); a folder without a valid campaign.yml stops here, in one line."""
    path = Path(folder).expanduser()
    if not (path / campaigns.FILE).is_file():
        raise InputError(f"--campaign {folder}: no {campaigns.FILE} there; give a campaign's folder, e.g. examples/turnout.",
                         "campaign")
    os.environ["BRIEFPACK_CAMPAIGN"] = str(path.resolve())
    campaigns.current()


def _worker_count(requested: int) -> int:
    """``--jobs``, refused below 1 and capped at what the machine can run (with a note)."""

    if requested < 1:
        raise InputError(f"--jobs {requested}: give 1 or more worker processes (default: one per core).")
    limit, why = worker_limit()
    if requested > limit:
        print(f"note: --jobs {requested} capped at {limit} ({why}).", file=sys.stderr)
        return limit
    return requested


def _locked(out: Path):
    check_output_folder(out)
    return OutputLock(out, on_wait=lambda pid: print(
        f"waiting: another build (pid {pid}) is writing to {out}; this one starts when it ends (Ctrl-C to stop).",
        file=sys.stderr, flush=True))


def _progress(args, formats) -> int:
    as_of = inputs.date(args.as_of, "as_of")
    entries = campaign.load()  # a bad tracker row stops here, with its one-line message
    job = Job(key="progress", slug="progress", label="progress report", title="Campaign progress with MPs",
              notebook="progress.ipynb", parameters=(("as_of", as_of.isoformat() if as_of else ""),))
    out = _out(args)
    fmts = tuple(f for f in formats if f != "docx") or ("html",)
    with _locked(out):
        [result] = build_jobs([job], out, fmts, n_jobs=1)
    if result.status == FAILED:
        print(f"failed: progress report: {result.message}", file=sys.stderr)
        return 1
    print(f"built: progress report ({len(entries)} tracked seats) -> {', '.join(result.outputs)}")
    return 0


def _jobs(args) -> tuple[list, int, int]:
    """(jobs, how many requests were invalid, how many were requested); bad requests print one line each."""
    if args.command == "topics":
        keys = topics(",".join(args.topics))
        return [plan.topic_job(k) for k in keys], 0, len(keys)
    requests = _requests(args)
    values = {name: getattr(args, name) for name in inputs.BRIEFING if name != "constituency"}
    values["personal_note"] = _personal_note(args)
    jobs, invalid = [], 0
    for name in requests:
        try:
            jobs.append(plan.briefing_job(name, **values))
        except InputError as exc:
            print(f"error: {exc}", file=sys.stderr)
            invalid += 1
    jobs, dropped = select.unique_jobs(jobs)
    for label in dict.fromkeys(dropped):
        print(f"note: {label} was asked for more than once; it is built once.", file=sys.stderr)
    return jobs, invalid, len(requests)


def _check_options(args) -> None:
    """The options every briefing shares, checked once (briefpack.request.inputs) before anything is read or built
    (blank concerns are the campaign's default ones, filled in and checked with each briefing)."""
    inputs.clean({name: getattr(args, name) for name in inputs.BRIEFING
                  if name not in ("constituency", "parliament") and not (name == "concerns" and not args.concerns)})
    if args.list_msps and args.parliament != "scottish":
        raise InputError("--list-msps writes letters to a Scottish Parliament region's list MSPs; add "
                         "--parliament scottish.", "list_msps")
    if args.member_name and (args.all or len(args.constituency or []) > 1):
        raise InputError("--msp names one constituency's MSP; give it with a single --constituency.", "member_name")


def _personal_note(args) -> str:
    if args.personal_note and args.personal_note_file:
        raise InputError("Give --personal-note or --personal-note-file, not both.", "personal_note")
    return read_personal_note(args.personal_note_file) if args.personal_note_file else args.personal_note


def _warn_letter_and_members(args, jobs) -> None:
    """After a build that went well, one line each on stderr: what the letter lacks (a warning, not an
    error), and each Scottish Parliament seat whose MSP is not in the data (nor given with --msp)."""
    params = dict(jobs[0].parameters)
    if "constituency" not in params:     # topic briefings have no letter
        return
    blank_pack = getattr(args, "all", False) and not (args.sender_name or args.address)   # a pack's letters are blank on purpose
    if not blank_pack:
        for line in sender_warnings(params.get("sender_name", ""), str(params.get("sender_address", "")).split(", ")):
            print(f"warning: {line}", file=sys.stderr)
    if args.command == "build" and args.parliament == SCOTTISH:
        for job in jobs:
            line = msps.missing_warning(geography.resolve(job.key, SCOTTISH), args.member_name)
            if line:
                print(f"warning: {line}", file=sys.stderr)


def _main(args) -> int:
    command = args.command
    if command == "serve":
        return serve(args.host, args.port, _worker_count(args.jobs))
    if command == "refresh-members":
        inputs.date(args.as_of, "as_of")
        refresh(args.source, args.as_of or None)
        return 0
    if command == "refresh-msps":
        inputs.date(args.as_of, "as_of")
        refresh_msps(args.source, args.as_of or None)
        return 0
    if command == "db":
        return _database(args)
    if command == "claims":
        print(claims.report(), end="")
        problems = claims.problems()
        for line in problems:
            print(f"problem: {line}", file=sys.stderr)
        return 1 if problems else 0
    if command == "list":
        for s in geography.seats(inputs.which_parliament(args.parliament)):
            print(f"{s.gss_code}\t{s.name}\t{s.nation}\t{s.region}")
        return 0
    if command == "index":
        out = _out(args)
        with _locked(out):
            man = Manifest(out)
            path = write_pack_index(out, man, [])
        print(f"index: {path} ({len(man.records)} briefings)")
        return 0
    formats = _formats(args.formats)
    if command == "progress":
        return _progress(args, formats)
    if command == "build":
        if args.campaign:
            _use_campaign(args.campaign)
        _check_options(args)
    n_workers = _worker_count(args.jobs)
    jobs, invalid, requested = _jobs(args)
    if not jobs:
        if invalid:
            return 2
        print(f"nothing to build: {describe(args.all, args.only, args.shard, args.parliament)} "
              "selects no seat.")
        return 0
    executor = None
    if args.executor == "dask":
        executor = dask_executor(args.scheduler)
    elif args.scheduler:
        raise InputError("--scheduler goes with --executor dask.")
    if args.dry_run:
        return _dry_run(jobs, _out(args), formats, args.force)
    code = _build(args, jobs, formats, n_workers, executor, invalid, requested)
    if code == 0:
        _warn_letter_and_members(args, jobs)
    return code


def _database(args) -> int:
    """The campaign database's commands (briefpack.app.store); no personal data is printed."""
    if not (args.db_upgrade or args.import_tracker is not None or args.export_tracker is not None
            or args.add_coordinator or args.purge or args.backup):
        raise InputError("Say what to do with the database: --db-upgrade, --import-tracker, --export-tracker, "
                         "--add-coordinator, --purge or --backup (build.py db --help).")
    db = store.Store()
    where = db.engine.url.render_as_string(hide_password=True)
    if args.db_upgrade:
        print(f"database: {where} is at the newest schema ({db.count()} reports)")
    if args.import_tracker is not None:
        path = Path(args.import_tracker) if args.import_tracker else paths.data_dir() / "campaign" / "tracker.csv"
        print(f"imported: {store.import_csv(db, path)} rows of {path} into {where}")
    if args.add_coordinator:
        _add_coordinator(db, args.add_coordinator)
    if args.purge:
        days = ReportSettings.from_env().retention_days
        files, contacts = db.purge(days)
        print(f"purged: {files} files and {contacts} reports' contact details older than {days} days")
    if args.backup:
        print(f"backup: {db.backup(Path(args.backup))} (uploads beside it in {args.backup}.uploads/)")
    if args.export_tracker is not None:
        body = store.export_csv(db, args.tracker_columns)
        left_out = store.original_omits(db) if args.tracker_columns == "original" else ""
        if left_out:
            print(f"note: the original columns leave out {left_out}; export with --tracker-columns all to keep "
                  "everything.", file=sys.stderr)
        if args.export_tracker == "-":
            sys.stdout.write(body)
        else:
            write_atomic(Path(args.export_tracker), body)
            print(f"exported: {args.export_tracker}", file=sys.stderr)
    db.close()
    return 0


def _add_coordinator(db, name: str) -> None:
    name = inputs.text(name, "coordinator")
    if not name:
        raise InputError("Give the coordinator's user name: --add-coordinator NAME.")
    if sys.stdin.isatty():
        password = getpass.getpass(f"password for {name}: ")
        if getpass.getpass("the same again: ") != password:
            raise InputError("The two passwords differ; run the command again.")
    else:
        password = sys.stdin.readline().rstrip("\n")
    if len(password) < 12:
        raise InputError("The password is shorter than 12 characters; choose a longer one.")
    db.add_coordinator(name, PasswordHasher().hash(password))
    print(f"coordinator: {name} can sign in at /coordinators/sign-in")


def _dry_run(jobs, out, formats, force) -> int:
    summary = build_pack(jobs, out, formats, force=force, dry_run=True)
    todo = [r for r in summary.results if r.status == WOULD_BUILD]
    for r in todo:
        print(f"would build: {r.job.label}: {r.message}")
    print(f"dry run: {len(todo)} to build, {summary.count(UP_TO_DATE)} up to date")
    return 0


def _build(args, jobs, formats, n_workers, executor, invalid, requested) -> int:
    check_tables()   # a damaged data file stops here, in one line, before any briefing is built
    out = _out(args)
    progress = Progress(len(jobs))
    try:
        with _locked(out):
            summary = build_pack(jobs, out, formats, n_jobs=n_workers, force=args.force, on_result=progress,
                                 executor=executor)
    except KeyboardInterrupt as stop:
        progress.close()
        built, failed = progress.counts[BUILT], progress.counts[FAILED]
        left = len(jobs) - built - failed - progress.counts[UP_TO_DATE]
        print(f"stopped: {built} built and recorded, {failed} failed, {left} not built; "
              "run the same command again to go on.", file=sys.stderr)
        return getattr(stop, "exit_code", 130)
    finally:
        progress.close()
    failed = summary.count(FAILED) + invalid
    if requested > 1 or failed:
        print(f"summary: {summary.count(BUILT)} built, {summary.count(UP_TO_DATE)} up to date, {failed} failed")
        if requested > 1 and summary.count(BUILT):
            print(stages_line(summary.stages(), summary.count(BUILT)))
    return 1 if failed else 0
