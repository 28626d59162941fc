#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# Everything that must pass against the real module, run inside the test VM
# by test-vm/suite (from a tree already built on the host):
#   test-vm/run --kernel 6.1 -- test-vm/guest-suite.sh [STEP...]
# STEPs (ioctl-suite, java-suite, a name of guest-steps.d/, c-benchmark,
# java-benchmark) pick some; none: all of them, in that order.
# Each step's output goes to the console and to $CPU_OPV_OUT/<step>.log;
# the last line is "guest-suite: N passed, N failed".
set -u

here=$(cd "$(dirname "$0")" && pwd -P)
repo=$(cd "$here/.." && pwd -P)
out=${CPU_OPV_OUT:-/tmp/cpu-opv-out}
mkdir -p "$out"
passed=0
failed=0
failed_steps=

# The steps asked for; each is checked off when it runs, to catch typos.
only=" $* "
for want in "$@"; do
	case $want in
	ioctl-suite | java-suite | c-benchmark | java-benchmark) ;;
	*) [ -e "$here/guest-steps.d/$want.sh" ] || { echo "guest-suite: no step $want" >&2; exit 2; } ;;
	esac
done

# step NAME COMMAND...: runs one step (unless others were asked for), counts it, keeps its log.
step() {
	name=$1
	shift
	if [ "$only" != "  " ]; then
		case $only in
		*" $name "*) ;;
		*) return 0 ;;
		esac
	fi
	echo "guest-suite: === $name"
	start=$(date +%s)
	"$@" >"$out/$name.log" 2>&1
	rc=$?
	cat "$out/$name.log"
	secs=$(($(date +%s) - start))
	if [ "$rc" -eq 0 ]; then
		passed=$((passed + 1))
		echo "guest-suite: --- $name: ok (${secs}s)"
	else
		failed=$((failed + 1))
		failed_steps="$failed_steps $name"
		echo "guest-suite: --- $name: FAILED, exit $rc (${secs}s)"
	fi
}

cd "$repo" || exit 2
echo "guest-suite: kernel $(uname -r), $(nproc) CPUs, module $(cat /sys/module/cpu_opv/version 2>/dev/null || echo '(not loaded)')"

step ioctl-suite kmod/tests/build/cpu_opv_test
step java-suite test-vm/guest-java-tests.sh
for extra in "$here"/guest-steps.d/*.sh; do
	[ -e "$extra" ] || continue
	step "$(basename "$extra" .sh)" sh "$extra"
done
# Numbers only, no verdict: kept for docs/benchmarks.md.
step c-benchmark kmod/tests/build/cpu_opv_bench
step java-benchmark java -cp "src/core/target/test-classes:src/core/target/classes" \
	org.cpuopv.JavaVsCBench

[ -z "$failed_steps" ] || echo "guest-suite: failed steps:$failed_steps"
echo "guest-suite: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
