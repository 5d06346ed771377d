# Long-running guest workloads. Included by the top-level Makefile.
#
#   make soak   the mixed workload (scripts/run-soak.sh, tests/guest/soak.sh)
#               on Debian's kernel; SOAK_MINUTES (default 10)

.PHONY: soak

soak: all
	scripts/run-soak.sh
