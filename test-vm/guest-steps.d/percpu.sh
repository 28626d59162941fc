#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# The per-CPU structures' stress tests (org.cpuopv.percpu: threads >= 2x
# CPUs, migrating while they work) against the real module, inside the test
# VM; the host runs the same tests on the emulated backend in mvn verify.
# InjectedAbortsStressTest runs the seven stress tests once more with the
# slow path forced (every operation through cpu_opv); percpu-slow.sh runs
# them without rseq.
#   test-vm/run --kernel 6.1 -- sh test-vm/guest-steps.d/percpu.sh
set -eu
# Reports in a directory of their own, beside the java-suite step's.
if [ -n "${CPU_OPV_OUT:-}" ]; then
	CPU_OPV_OUT=$CPU_OPV_OUT/percpu
	mkdir -p "$CPU_OPV_OUT"
	export CPU_OPV_OUT
fi
exec sh test-vm/guest-java-tests.sh --select-package org.cpuopv.percpu
