"""data: the table catalogue (the only reader of data/, validating), the record of reads, statistics
and the yearly headlines. Imports only :mod:`briefpack.core`."""
