#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# The C stress of the per-CPU operations (native/tests/rseq_stress.c) in the
# guest, with the module loaded: rseq on the fast path, cpu_opv as the slow
# path and for operations on another CPU.  Six runs:
#   1. as is: rseq, cpu_opv after 8 aborts in a row and for remote ops;
#   2. --inject 100: every operation takes the cpu_opv slow path;
#   3. --no-cpu-opv: the rseq backend (remote ops move the thread there);
#   4. glibc.pthread.rseq=0: no rseq at all, everything through cpu_opv;
#   5. --two-call: as the JVM's FFM layer calls them (a NO_SYSCALL call,
#      then an ordinary one when that did not decide);
#   6. the same with --inject 100: every second call takes cpu_opv.
# Uses native/tests/build/rseq_stress when the host built it
# (make -C native/tests), else compiles it into a scratch directory.
#   test-vm/run --kernel 6.1 -- sh test-vm/guest-steps.d/rseq-stress.sh
set -eu
bin=native/tests/build/rseq_stress
if [ ! -x "$bin" ]; then
	dir=$(mktemp -d)
	cc -O2 -std=gnu11 -pthread -D_GNU_SOURCE -Inative/include -Ikmod/include/uapi \
		-o "$dir/rseq_stress" native/tests/rseq_stress.c native/src/libcpuopv.c \
		native/src/cpuopv_rseq.c native/src/rseq_x86_64.c -pthread
	bin=$dir/rseq_stress
fi
secs=${CPU_OPV_RSEQ_STRESS_SECONDS:-3}
[ -c /dev/cpu_opv ] || { echo "rseq-stress: /dev/cpu_opv missing"; exit 1; }
"$bin" --seconds "$secs"
"$bin" --seconds "$secs" --inject 100
"$bin" --seconds "$secs" --no-cpu-opv
GLIBC_TUNABLES=glibc.pthread.rseq=0 "$bin" --seconds "$secs"
"$bin" --seconds "$secs" --two-call
"$bin" --seconds "$secs" --two-call --inject 100
