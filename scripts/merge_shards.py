"""Merge the pack's CI shards into one folder (used by .github/workflows/pack.yml).

Each shard folder holds its own ``manifest.jsonl`` and the files its briefings wrote. The merged
folder gets one manifest line per briefing (the union of the shards' records) and exactly the files
each record lists: HTML, PDF, the ``-letter.docx``, whatever the build wrote. A record whose files
are missing is left out, so the next build redoes that briefing instead of trusting it.

    python scripts/merge_shards.py --out pack shards/briefings-shard-*
    python build.py index --out pack
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

try:
    from briefpack.build.manifest import Manifest
    from briefpack.core.atomic import write_atomic
except ModuleNotFoundError:  # not installed: use the checkout's source
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from briefpack.build.manifest import Manifest
    from briefpack.core.atomic import write_atomic


def merge(shards: list[Path], out: Path) -> tuple[int, int, list[str]]:
    """Merge ``shards`` into ``out``; returns (briefings, files, warnings)."""
    out.mkdir(parents=True, exist_ok=True)
    merged = Manifest(out)  # records already in ``out`` are kept unless a shard has the same briefing
    origin: dict[str, Path] = {}
    warnings, files = [], 0
    for shard in shards:
        if not (shard / "manifest.jsonl").is_file():
            warnings.append(f"{shard}: no manifest.jsonl; nothing merged from it")
            continue
        # Manifest skips (with a warning) lines that are not valid records, e.g. ones whose outputs
        # are not plain file names in that folder.
        for slug, rec in sorted(Manifest(shard).records.items()):
            outputs = rec["outputs"]
            missing = [n for n in outputs if not (shard / n).is_file()]
            if not outputs or missing:
                warnings.append(f"{shard}: {slug} left out (missing: {', '.join(missing) or 'no files listed'});"
                                " the next build redoes it")
                continue
            if slug in origin and merged.records[slug].get("digest") != rec.get("digest"):
                warnings.append(f"{slug} is in both {origin[slug]} and {shard}; keeping {shard}")
            for name in outputs:
                write_atomic(out / name, (shard / name).read_bytes())  # a killed merge leaves no half file
                files += 1
            merged.record(slug, rec["key"], rec["inputs"], outputs, rec.get("info"), rec.get("reads"))
            origin[slug] = shard
    merged.compact()
    return len(origin), files, warnings


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("shards", nargs="+", type=Path, help="shard folders (each with its manifest.jsonl)")
    ap.add_argument("--out", type=Path, required=True, help="the merged pack folder")
    args = ap.parse_args(argv)
    missing = [str(s) for s in args.shards if not s.is_dir()]
    if missing:
        print(f"error: not a folder: {', '.join(missing)}; give the shard folders.", file=sys.stderr)
        return 2
    briefings, files, warnings = merge(args.shards, args.out)
    for w in warnings:
        print(f"warning: {w}", file=sys.stderr)
    print(f"merged: {briefings} briefings ({files} files) from {len(args.shards)} shards into {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
