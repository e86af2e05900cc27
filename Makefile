# Kept for those used to `make`; the commands are in ./run (plain sh: stock Debian has no make).
.PHONY: pack test install lab bench
pack test install lab bench:
	./run $@
