#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# The stress tests of the seven per-CPU structures (JUnit tag "stress") on
# the kernel backend with no rseq at all, inside the test VM: under
# GLIBC_TUNABLES=glibc.pthread.rseq=0 no thread has rseq, so every own-CPU
# operation runs through cpu_opv (-Dcpuopv.test.rseq=absent asserts the
# mode). Each test asserts from the library's counters that at least one
# cpu_opv slow path ran per operation it completed (Stress.java), besides
# its own checks (every item exactly once, counters exact). The other way
# of forcing the slow path, injected aborts, runs in the percpu step's JVM
# (InjectedAbortsStressTest); this one needs a JVM started without rseq.
# Every operation is an ioctl here, so the run is smaller than the percpu
# step's: CPU_OPV_SLOW_SCALE (default 0.02) is its -Dcpuopv.stress.scale.
#   test-vm/run --kernel 6.1 -- sh test-vm/guest-steps.d/percpu-slow.sh
set -eu
[ -c /dev/cpu_opv ] || { echo "percpu-slow: /dev/cpu_opv missing"; exit 1; }
if [ -n "${CPU_OPV_OUT:-}" ]; then
	CPU_OPV_OUT=$CPU_OPV_OUT/percpu-slow
	mkdir -p "$CPU_OPV_OUT"
	export CPU_OPV_OUT
fi
tests=7 # the seven structures' stress tests, kernel backend only
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
GLIBC_TUNABLES=glibc.pthread.rseq=0 \
	CPU_OPV_JAVA_OPTS="${CPU_OPV_JAVA_OPTS:-} -Dcpuopv.stress.scale=${CPU_OPV_SLOW_SCALE:-0.02} -Dcpuopv.test.rseq=absent" \
	sh test-vm/guest-java-tests.sh --select-package org.cpuopv.percpu --include-tag stress >"$log" 2>&1 ||
	status=$?
cat "$log"
[ "$status" -eq 0 ] || { echo "percpu-slow: FAILED (exit $status)"; exit 1; }
found=$(sed -n 's/^.*\[ *\([0-9]*\) tests successful *\].*$/\1/p' "$log")
[ "$found" = "$tests" ] || { echo "percpu-slow: ${found:-no} tests passed, expected $tests"; exit 1; }
