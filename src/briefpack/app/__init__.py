"""app: what people run: the command line, the web page, the members refresh. Imports every layer below."""
