#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# The stress tests of the seven per-CPU structures (JUnit tag "stress") on
# the kernel backend with the slow path forced, inside the test VM; the
# percpu step runs them on the fast path. Two runs:
#   1. injected aborts: every operation's first 100 attempts count as
#      aborted, so each one gives up on rseq after 8 and runs through
#      cpu_opv (-Dcpuopv.test.injectAborts=100; glibc's rseq asserted
#      present);
#   2. glibc.pthread.rseq=0: no thread has rseq, every own-CPU operation
#      runs through cpu_opv (-Dcpuopv.test.rseq=absent asserts it).
# In both, each test asserts from the library's counters that at least one
# cpu_opv slow path ran per operation it completed (Stress.java), besides
# its own checks (every item exactly once, counters exact). Every operation
# is an ioctl here, so the runs are smaller than the percpu step's:
# CPU_OPV_SLOW_SCALE (default 0.02) is their -Dcpuopv.stress.scale.
#   test-vm/run --kernel 6.1 -- sh test-vm/guest-steps.d/percpu-slow.sh
set -eu
[ -c /dev/cpu_opv ] || { echo "percpu-slow: /dev/cpu_opv missing"; exit 1; }
out=${CPU_OPV_OUT:-}
scale=${CPU_OPV_SLOW_SCALE:-0.02}
opts="${CPU_OPV_JAVA_OPTS:-} -Dcpuopv.stress.scale=$scale"
tests=7 # the seven structures' stress tests, kernel backend only

# run NAME VAR=VALUE...: one launcher run of the tagged tests in that
# environment, its reports beside the other steps', its test count checked.
run() {
	name=$1
	shift
	if [ -n "$out" ]; then
		CPU_OPV_OUT=$out/percpu-slow-$name
		mkdir -p "$CPU_OPV_OUT"
		export CPU_OPV_OUT
	fi
	log=$(mktemp)
	start=$(date +%s)
	status=0
	env "$@" sh test-vm/guest-java-tests.sh --select-package org.cpuopv.percpu \
		--include-tag stress >"$log" 2>&1 || status=$?
	cat "$log"
	found=$(sed -n 's/^.*\[ *\([0-9]*\) tests successful *\].*$/\1/p' "$log")
	rm -f "$log"
	echo "percpu-slow: $name: $(($(date +%s) - start))s"
	[ "$status" -eq 0 ] || { echo "percpu-slow: $name FAILED (exit $status)"; exit 1; }
	[ "$found" = "$tests" ] || { echo "percpu-slow: $name: ${found:-no} tests passed, expected $tests"; exit 1; }
}

run injected "CPU_OPV_JAVA_OPTS=$opts -Dcpuopv.test.injectAborts=100 -Dcpuopv.test.rseq=present"
run no-rseq GLIBC_TUNABLES=glibc.pthread.rseq=0 "CPU_OPV_JAVA_OPTS=$opts -Dcpuopv.test.rseq=absent"
