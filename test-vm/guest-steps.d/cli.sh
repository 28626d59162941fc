#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# The cpu-opv CLI and the dump recorder against the real module, inside the
# test VM (run by test-vm/guest-suite.sh, cwd = the repository, built on the
# host with `mvn -B -q -DskipTests package`):
#   test-vm/run --kernel 6.1 -- sh test-vm/guest-steps.d/cli.sh
# 1. `cpu-opv info` shows the module loaded and its counters;
# 2. `cpu-opv exec` on the KERNEL backend with CPU_OPV_DUMP set (the recorder
#    turned on from the environment, no code change) runs the example vector;
# 3. a JSONL dump file appears in $CPU_OPV_OUT and `cpu-opv dump` reads it back;
# 4. `cpu-opv info` again: the vectors counted by the module went up.
# Exits non-zero at the first failed check.
set -eu

out=${CPU_OPV_OUT:-/tmp/cpu-opv-out}
work=$out/cli
rm -rf "$work"
mkdir -p "$work/dump"
cli=bin/cpu-opv
# Short-lived JVMs under an emulator start faster with the C1 compiler only.
export CPU_OPV_JAVA_OPTS="-XX:TieredStopAtLevel=1 ${CPU_OPV_JAVA_OPTS:-}"

fail() {
	echo "cli.sh: FAIL: $*" >&2
	exit 1
}

# vectors run, as the module counts them: local + ipi + offline (from `info`)
vectors_run() {
	awk '$1 == "local" || $1 == "ipi" || $1 == "offline" { n += $2; seen++ }
		END { if (seen != 3) exit 1; print n }' "$1"
}

[ -x "$cli" ] || fail "$cli is missing or not executable"
[ -c /dev/cpu_opv ] || fail "/dev/cpu_opv is missing (was cpu_opv.ko loaded?)"

echo "cli.sh: cpu-opv info (before)"
$cli info >"$work/info1.txt" || fail "cpu-opv info exited $?"
cat "$work/info1.txt"
grep -q '^module *cpu_opv loaded, version ' "$work/info1.txt" || fail "info does not show the module loaded"
grep -q '^device *\/dev\/cpu_opv usable' "$work/info1.txt" || fail "info does not show the device usable"
grep -q '^ops supported *6$' "$work/info1.txt" || fail "info does not show 6 ops from the module"
before=$(vectors_run "$work/info1.txt") || fail "info shows no local/ipi/offline counters"

# Target the CPU other than the caller's when there are two: the IPI path.
target=0
[ "$(nproc)" -gt 1 ] && target=1
echo "cli.sh: cpu-opv exec on cpu $target, kernel backend, CPU_OPV_DUMP=$work/dump"
CPU_OPV_DUMP="$work/dump" $cli exec --backend KERNEL --cpu "$target" docs/examples/exec-push.json \
	>"$work/exec.txt" || fail "cpu-opv exec exited $?"
cat "$work/exec.txt"
grep -q '^backend  KERNEL, cpu '"$target" "$work/exec.txt" || fail "exec did not run on the kernel backend"
grep -q '^result   done' "$work/exec.txt" || fail "exec's vector did not complete"

dump=
for f in "$work"/dump/cpu-opv-*.jsonl; do
	[ -f "$f" ] && dump=$f
done
[ -n "$dump" ] || fail "no dump file cpu-opv-<pid>.jsonl in $work/dump"
echo "cli.sh: dump file $dump ($(wc -l <"$dump") lines)"
grep -q '"type":"vector".*"backend":"KERNEL"' "$dump" || fail "no KERNEL vector line in $dump"
grep -q '"type":"end"' "$dump" || fail "$dump has no end line: not flushed and closed at exit"

echo "cli.sh: cpu-opv dump --op add --result done --cpu $target"
$cli dump --op add --result "done" --cpu "$target" "$dump" >"$work/dump.txt" || fail "cpu-opv dump exited $?"
cat "$work/dump.txt"
grep -q '^# 1 of 1 vectors shown; 0 dropped; closed cleanly' "$work/dump.txt" || fail "cpu-opv dump did not read the vector back"
grep -q 'KERNEL cpu '"$target"' <- cpu' "$work/dump.txt" || fail "cpu-opv dump does not show the kernel vector"
grep -q 'CPU_ADD_OP len 8' "$work/dump.txt" || fail "cpu-opv dump does not show the add"

echo "cli.sh: cpu-opv info (after)"
$cli info >"$work/info2.txt" || fail "cpu-opv info exited $?"
cat "$work/info2.txt"
after=$(vectors_run "$work/info2.txt") || fail "info shows no local/ipi/offline counters"
# info itself runs flag queries only; exec ran one vector.
[ "$after" -gt "$before" ] || fail "the module's vector counters did not move ($before -> $after)"
echo "cli.sh: vectors run by the module: $before -> $after"
echo "cli.sh: ok"
