"""The command line: gather parameters, call the package, print one line per problem."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import paths
from .errors import BriefpackError, InputError

EPILOG = """examples:
  python build.py --constituency "Banbury" --concerns training,children,policing --club "Soroptimist International Banbury"
  python build.py --constituency E14001072 --formats html --out /tmp/briefings
  python build.py --all                 # every Westminster constituency; only what changed is rebuilt
  python build.py --all --dry-run       # what would be rebuilt, and why
  python build.py --list"""


def parser() -> argparse.ArgumentParser:
    from .content import DEFAULT_CONCERNS, concern_keys, keys_help
    from .topics import topic_keys

    p = argparse.ArgumentParser(prog="build.py", description="Build modern slavery briefings for MPs.",
                                epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    what = p.add_argument_group("what to build")
    what.add_argument("--constituency", "-c", action="append", metavar="NAME_OR_GSS",
                      help="a Westminster constituency, by name or GSS code (repeat for several)")
    what.add_argument("--all", action="store_true", help="every constituency of the parliament (650 or 73)")
    what.add_argument("--parliament", choices=("westminster", "scottish"), default="westminster",
                      help="Westminster (MPs, default) or the Scottish Parliament (73 constituencies, MSPs)")
    what.add_argument("--only", nargs="+", metavar="NAME_OR_GSS", help="with --all: just these constituencies")
    what.add_argument("--shard", metavar="K/N", help="with --all: the K-th of N equal parts (1-based), for CI matrices")
    opts = p.add_argument_group("briefing options")
    opts.add_argument("--concerns", default="", metavar="KEYS",
                      help=f"2-3 of: {keys_help(concern_keys)}, comma-separated "
                           f"(default: {','.join(DEFAULT_CONCERNS)}; the files of content/concerns/)")
    opts.add_argument("--club", default="", help="the club or campaigner the briefing is from")
    opts.add_argument("--msp", default="", metavar="NAME",
                      help="Scottish Parliament: the MSP's name (else data/campaign/msps.csv, else 'the Member ...')")
    opts.add_argument("--address", default="", metavar="LINES",
                      help="the sender's address for the letter, lines separated by commas")
    opts.add_argument("--letter-date", default="", metavar="YYYY-MM-DD", help="date on the letter (default: blank)")
    opts.add_argument("--sender-name", default="", metavar="NAME",
                      help="who signs the letter (with --address and its postcode: how the office knows you are a constituent)")
    opts.add_argument("--personal-note", default="", metavar="TEXT",
                      help="your own paragraph for the letter, after its opening (one paragraph; line breaks are joined)")
    opts.add_argument("--personal-note-file", default="", metavar="PATH",
                      help="the same, read from a UTF-8 text file")
    opts.add_argument("--meeting-date", default="", metavar="YYYY-MM-DD", help="date of the meeting with the MP")
    run = p.add_argument_group("how to build")
    run.add_argument("--out", default=None, metavar="DIR", help="output folder (default: briefings/)")
    run.add_argument("--formats", default="html,pdf,docx",
                     help="any of html, pdf, docx (the letter), comma-separated (default: all three)")
    run.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1, help="worker processes (default: cores)")
    run.add_argument("--force", action="store_true", help="rebuild even what is up to date")
    run.add_argument("--dry-run", action="store_true", help="list what would be rebuilt and why; build nothing")
    run.add_argument("--index-only", action="store_true",
                     help="only rewrite index.html from the manifest in --out (e.g. after merging CI shards)")
    run.add_argument("--executor", choices=("local", "dask"), default="local",
                     help="local worker processes (default) or a dask.distributed cluster")
    run.add_argument("--scheduler", metavar="ADDRESS",
                     help="with --executor dask: the scheduler, e.g. tcp://10.0.0.5:8786 (default: a LocalCluster)")
    what.add_argument("--topic", action="append", metavar="KEY",
                      help=f"a topic briefing, one of: {keys_help(topic_keys)} (repeat for several; the files of "
                           "content/topics/)")
    what.add_argument("--topics", metavar="all|KEYS", help="several topic briefings: all, or keys comma-separated")
    what.add_argument("--progress", action="store_true",
                      help="the coordinators' progress report from data/campaign/tracker.csv (progress.html, .pdf)")
    opts.add_argument("--as-of", default="", metavar="YYYY-MM-DD",
                      help="--progress: the report date (default today); --refresh-members: the date the new members "
                           "file is as at (default: today for a download, the file's date for a local file)")
    what.add_argument("--refresh-members", nargs="?", const="", default=None, metavar="URL_OR_FILE",
                      help="bring the newest list of sitting MPs into data/ (default: the Department for Education's "
                           "daily file), check it, print what changed seat by seat, and exit")
    p.add_argument("--list", action="store_true", help="list the constituencies and exit")
    web = p.add_argument_group("web page (see README, 'The web page')")
    web.add_argument("--serve", action="store_true",
                     help="run the web page and JSON API (with --jobs warm workers) until Ctrl-C")
    web.add_argument("--host", default="127.0.0.1", help="--serve: address to listen on (default 127.0.0.1)")
    web.add_argument("--port", type=int, default=8000, help="--serve: port (default 8000)")
    db = p.add_argument_group("campaign database (see README, 'Clubs report back')")
    db.add_argument("--db-upgrade", action="store_true", help="make or upgrade the database (the server does this too)")
    db.add_argument("--import-tracker", nargs="?", const="", default=None, metavar="CSV",
                    help="read a tracker CSV into the database (default data/campaign/tracker.csv)")
    db.add_argument("--export-tracker", nargs="?", const="-", default=None, metavar="CSV",
                    help="write the database as a tracker CSV (default: to standard output)")
    db.add_argument("--add-coordinator", metavar="NAME",
                    help="make a coordinator's account, or set its password (read from standard input)")
    db.add_argument("--purge", action="store_true",
                    help="remove uploads and contact details older than BRIEFPACK_RETENTION_DAYS (default 365)")
    db.add_argument("--backup", metavar="FILE", help="copy the database (and uploads) while the server runs")
    return p


def _formats(value: str) -> tuple:
    from .jobs import FORMATS

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

    args = parser().parse_args(argv)
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
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


def _requests(args) -> list[str]:
    from . import select

    if args.all:
        return select.pack_seats(args.parliament, args.only, args.shard)
    if args.only or args.shard:
        raise InputError("--only and --shard go with --all.")
    if not args.constituency:
        raise InputError("Say which constituency: --constituency NAME, or --all (--list shows them).")
    return list(args.constituency)


def _out(args) -> Path:
    return Path(args.out) if args.out else paths.briefings_dir()


def _worker_count(requested: int) -> int:
    """``--jobs``, refused below 1 and capped at what the machine can run (with a note)."""
    from .pool import worker_limit

    if requested < 1:
        raise InputError(f"--jobs {requested}: give 1 or more worker processes (default: one per core).")
    limit, why = worker_limit()
    if requested > limit:
        print(f"note: --jobs {requested} capped at {limit} ({why}).", file=sys.stderr)
        return limit
    return requested


def _locked(out: Path):
    from .pack import OutputLock, check_output_folder

    check_output_folder(out)
    return OutputLock(out, on_wait=lambda pid: print(
        f"waiting: another build (pid {pid}) is writing to {out}; this one starts when it ends (Ctrl-C to stop).",
        file=sys.stderr, flush=True))


def _progress(args, formats) -> int:
    from . import campaign, inputs
    from .jobs import FAILED, Job
    from .pool import build_jobs

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
    from . import plan, select

    if args.topic or args.topics:
        from .inputs import topics

        keys = topics(",".join((args.topic or []) + ([args.topics] if args.topics else [])))
        return [plan.topic_job(k) for k in keys], 0, len(keys)
    requests = _requests(args)
    note = _personal_note(args)
    jobs, invalid = [], 0
    for name in requests:
        try:
            jobs.append(plan.briefing_job(name, args.concerns or None, args.club, args.meeting_date or None,
                                          args.parliament, args.msp, args.address, args.letter_date or None,
                                          args.sender_name, note))
        except InputError as exc:
            print(f"error: {exc}", file=sys.stderr)
            invalid += 1
    jobs, dropped = select.unique_jobs(jobs)
    for label in dict.fromkeys(dropped):
        print(f"note: {label} was asked for more than once; it is built once.", file=sys.stderr)
    return jobs, invalid, len(requests)


def _check_options(args) -> None:
    """The options every briefing shares, checked once (briefpack.inputs) before anything is read or built."""
    from . import inputs

    inputs.clean({"concerns": args.concerns, "club": args.club, "member_name": args.msp, "address": args.address,
                  "meeting_date": args.meeting_date, "letter_date": args.letter_date, "as_of": args.as_of,
                  "sender_name": args.sender_name, "personal_note": args.personal_note})


def _personal_note(args) -> str:
    from .letters import read_personal_note

    if args.personal_note and args.personal_note_file:
        raise InputError("Give --personal-note or --personal-note-file, not both.", "personal_note")
    return read_personal_note(args.personal_note_file) if args.personal_note_file else args.personal_note


def _warn_letter_and_boundaries(args, jobs) -> None:
    """After a build that went well, one line each on stderr: what the letter lacks (a warning, not an
    error), and that the Scottish Parliament boundary set in use is the 2011 one."""
    from .geography import SCOTTISH, holyrood_warning
    from .letters import sender_warnings

    params = dict(jobs[0].parameters)
    if "constituency" not in params:     # topic briefings have no letter
        return
    blank_pack = args.all and not (args.sender_name or args.address)   # a pack's letters are blank on purpose
    if not blank_pack:
        for line in sender_warnings(params.get("sender_name", ""), str(params.get("sender_address", "")).split(", ")):
            print(f"warning: {line}", file=sys.stderr)
    if args.parliament == SCOTTISH and holyrood_warning():
        print(f"warning: {holyrood_warning()}", file=sys.stderr)


def _main(args) -> int:
    from . import geography

    if args.serve:
        from .web import serve

        return serve(args.host, args.port, _worker_count(args.jobs))
    if (args.db_upgrade or args.import_tracker is not None or args.export_tracker is not None
            or args.add_coordinator or args.purge or args.backup):
        return _database(args)
    _check_options(args)
    if args.refresh_members is not None:
        from .refresh import refresh

        refresh(args.refresh_members or None, args.as_of or None)
        return 0
    if args.list:
        for s in geography.seats(args.parliament):
            print(f"{s.gss_code}\t{s.name}\t{s.nation}\t{s.region}")
        return 0
    formats = _formats(args.formats)
    if args.index_only:
        from .manifest import Manifest
        from .pack import write_pack_index

        out = _out(args)
        with _locked(out):
            man = Manifest(out)
            path = write_pack_index(out, man, [])
        print(f"index: {path} ({len(man.records)} briefings)")
        return 0
    if args.progress:
        return _progress(args, formats)
    n_workers = _worker_count(args.jobs)
    jobs, invalid, requested = _jobs(args)
    if not jobs:
        if invalid:
            return 2
        from .select import describe

        print(f"nothing to build: {describe(args.all, args.only, args.shard, args.parliament)} "
              "selects no seat.")
        return 0
    executor = None
    if args.executor == "dask":
        from .distributed import executor as dask_executor

        executor = dask_executor(args.scheduler)
    elif args.scheduler:
        raise InputError("--scheduler goes with --executor dask.")
    if args.dry_run:
        return _dry_run(jobs, _out(args), formats, args.force)
    code = _build(args, jobs, formats, n_workers, executor, invalid, requested)
    if code == 0:
        _warn_letter_and_boundaries(args, jobs)
    return code


def _database(args) -> int:
    """The campaign database's commands (briefpack.store); no personal data is printed."""
    from . import store
    from .reports_web import Settings

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
        days = Settings.from_env().retention_days
        files, contacts = db.purge(days)
        print(f"purged: {files} files and {contacts} reports' contact details older than {days} days")
    if args.backup:
        print(f"backup: {db.backup(Path(args.backup))} (uploads beside it in {args.backup}.uploads/)")
    if args.export_tracker is not None:
        body = store.export_csv(db)
        if args.export_tracker == "-":
            sys.stdout.write(body)
        else:
            from .atomic import write_atomic

            write_atomic(Path(args.export_tracker), body)
            print(f"exported: {args.export_tracker}", file=sys.stderr)
    db.close()
    return 0


def _add_coordinator(db, name: str) -> None:
    from argon2 import PasswordHasher

    from . import inputs

    name = inputs.text(name, "coordinator")
    if not name:
        raise InputError("Give the coordinator's user name: --add-coordinator NAME.")
    if sys.stdin.isatty():
        import getpass

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
    from .jobs import UP_TO_DATE, WOULD_BUILD
    from .pack import build_pack

    summary = build_pack(jobs, out, formats, force=force, dry_run=True)
    todo = [r for r in summary.results if r.status == WOULD_BUILD]
    for r in todo:
        print(f"would build: {r.job.label}: {r.message}")
    print(f"dry run: {len(todo)} to build, {summary.count(UP_TO_DATE)} up to date")
    return 0


def _build(args, jobs, formats, n_workers, executor, invalid, requested) -> int:
    from .jobs import BUILT, FAILED, UP_TO_DATE
    from .pack import build_pack
    from .progress import Progress

    from .data import check_tables

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
    return 1 if failed else 0
