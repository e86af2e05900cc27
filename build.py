#!/usr/bin/env python3
"""Build modern slavery briefings for MPs. Run `python build.py --help`."""
import sys
from pathlib import Path

try:
    from briefpack.app.cli import main
except ModuleNotFoundError:  # not installed yet: use the checkout's source
    sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))
    from briefpack.app.cli import main

if __name__ == "__main__":
    sys.exit(main())
