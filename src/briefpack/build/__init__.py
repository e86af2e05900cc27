"""build: jobs, plans, executing notebooks (Papermill), exporting (nbconvert, Chromium), workers,
pools, the pack and its manifest. Imports the layers below."""
