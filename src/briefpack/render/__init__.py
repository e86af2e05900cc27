"""render: the pages (briefing sections, letters, charts, tables, topic pages, the progress report, the
index). Runs in the notebook's kernel. Imports the layers below."""
