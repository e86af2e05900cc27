# Kept for those used to `make`; the commands are in ./run (plain sh: stock Debian has no make).
.PHONY: install test pack lab bench
install test pack lab bench:
	./run $@
