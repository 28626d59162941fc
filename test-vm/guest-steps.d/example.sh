#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# The example service (org.cpuopv.example.WorkStealingDemo, a work-stealing
# task queue on per-CPU stacks) against the real module, inside the test VM
# (run by test-vm/guest-suite.sh; cwd = the repository, built on the host with
# `mvn -B -q -DskipTests package`):
#   test-vm/run --kernel 6.1 -- sh test-vm/guest-steps.d/example.sh
# Then the README's example (org.cpuopv.example.HelloCpuOpv), as written.
# Checks that it ran on the KERNEL backend, that every task ran exactly once
# with the right result ("... OK"), and that some tasks were stolen by a CPU
# other than the one they were submitted on. Exits non-zero otherwise.
set -eu

out=${CPU_OPV_OUT:-/tmp/cpu-opv-out}
mkdir -p "$out"
log=$out/example-output.txt
scratch=$(mktemp -d "${TMPDIR:-/tmp}/cpuopv-example.XXXXXX")
trap 'rm -rf "$scratch"' EXIT

fail() {
	echo "example.sh: FAIL: $*" >&2
	exit 1
}

ls target/lib/cpu-opv-examples-*.jar >/dev/null 2>&1 || fail "target/lib is not built (mvn -B -q -DskipTests package)"

# The command line a reader would type, plus a private directory for the
# extracted native library.
if ! java -XX:TieredStopAtLevel=1 -Djava.io.tmpdir="$scratch" -cp 'target/lib/*' \
	org.cpuopv.example.WorkStealingDemo --backend kernel --tasks 400 >"$log" 2>&1; then
	cat "$log"
	fail "WorkStealingDemo exited non-zero"
fi
cat "$log"

grep -q '^work-stealing demo: backend KERNEL,' "$log" || fail "not run on the KERNEL backend"

grep -q '^result [0-9]*, expected [0-9]*, tasks run 400 of 400: OK$' "$log" || fail "wrong result or task count"
# Tasks are submitted on one CPU; with two or more CPUs, the others must have stolen some.
cpus=$(grep -c '^  cpu [0-9]*: ran' "$log")
if [ "$cpus" -ge 2 ]; then
	stolen=$(awk '/^  cpu [0-9]+: ran/ { s += $7 } END { print s + 0 }' "$log")
	[ "$stolen" -gt 0 ] || fail "no task was stolen across CPUs"
	echo "example.sh: ok ($stolen tasks stolen across CPUs)"
else
	echo "example.sh: ok (one CPU: nothing to steal)"
fi

# The README's first example, as a reader would run it.
hello=$out/hello-output.txt
java -XX:TieredStopAtLevel=1 -Djava.io.tmpdir="$scratch" -cp 'target/lib/*' \
	org.cpuopv.example.HelloCpuOpv >"$hello" 2>"$hello.err" ||
	{ cat "$hello" "$hello.err"; fail "HelloCpuOpv exited non-zero"; }
cat "$hello" "$hello.err"
[ "$(grep -c '^cpu [0-9]*: DONE, counter 1 (KERNEL)$' "$hello")" -eq "$(grep -c . "$hello")" ] ||
	fail "HelloCpuOpv did not count once per CPU on the KERNEL backend"
