"""core: paths, errors, atomic writes, holding signals, plain text helpers. Imports nothing of ours."""
