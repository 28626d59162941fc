#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# Run the Java suite against the kernel backend, inside the test VM, from an
# already-built tree (`mvn -B package` on the host first): no Maven, nothing
# written into the repository (it is read-only in the guest).
#
#   test-vm/run -- test-vm/guest-java-tests.sh [extra console-launcher args]
#
# The suite runs every behavioural test on both backends (kernel + emulated),
# the differential test (kernel == emulated == model) and the rest; with
# cpuopv.test.requireKernel=true a missing /dev/cpu_opv fails the run instead
# of skipping the kernel variants. JUnit XML reports go to
# $CPU_OPV_OUT/java-junit (or target/guest-junit outside the VM). Exits
# non-zero on any failure, or when the tree is not built.
set -eu

here=$(cd "$(dirname "$0")" && pwd -P)
repo=$(cd "$here/.." && pwd -P)
target="$repo/target"
# The library's module (src/core): its classes and tests, as Maven built them.
core="$repo/src/core/target"
launcher="$target/test-tools/junit-platform-console-standalone.jar"
lib="$core/classes/META-INF/native/linux-x86_64/libcpuopv.so"

for f in "$launcher" "$lib" "$core/test-classes/org/cpuopv/BehaviourTest.class"; do
	if [ ! -e "$f" ]; then
		echo "guest-java-tests: $f is missing: build the tree on the host first (mvn -B package)" >&2
		exit 2
	fi
done

if [ -n "${CPU_OPV_OUT:-}" ]; then
	reports="$CPU_OPV_OUT/java-junit"
else
	reports="$target/guest-junit"
fi
mkdir -p "$reports"

if [ "${CPU_OPV_VM:-0}" = 1 ] && [ ! -c /dev/cpu_opv ]; then
	echo "guest-java-tests: /dev/cpu_opv is missing in the VM (was cpu_opv.ko loaded?)" >&2
fi

# Scratch for @TempDir and the library-extraction tests: the guest's /tmp tmpfs.
scratch=$(mktemp -d "${TMPDIR:-/tmp}/cpuopv-java.XXXXXX")
trap 'rm -rf "$scratch"' EXIT

# Without arguments the kernel-facing classes run: the behavioural suite on
# the kernel backend only (the host covers the emulated one), the differential
# test (kernel, emulated and the model together), library loading and the ABI
# check. Arguments replace that selection (e.g. --select-package org.cpuopv
# for everything, subpackages included). The VM emulates its CPUs (TCG, tens
# of times slower than the host), so the stress loops are scaled down there:
# CPU_OPV_JAVA_ITERATIONS (per thread, host default 20000) and
# CPU_OPV_JAVA_VECTORS (differential test, host default 4000).
if [ "$#" -eq 0 ]; then
	set -- --select-class org.cpuopv.BehaviourTest \
		--select-class org.cpuopv.DifferentialTest \
		--select-class org.cpuopv.PerCpuOpsDifferentialTest \
		--select-class org.cpuopv.NativeLibraryTest \
		--select-class org.cpuopv.AbiLayoutTest
fi

# The library has no runtime dependency: its tests and classes are the whole class path.
# CPU_OPV_JAVA_LIBRARY replaces its classes (e.g. by the multi-release jar, whose Java 22
# layer only a jar has), CPU_OPV_JAVA the java command (e.g. a JDK 25's).
cp="$core/test-classes:${CPU_OPV_JAVA_LIBRARY:-$core/classes}"

# The library is loaded from src/core/target/classes (class path), as users' jars do.
# CPU_OPV_JAVA_OPTS adds JVM options (e.g. -Dcpuopv.test.stressTimeoutSec=300).
status=0
# shellcheck disable=SC2086  # word splitting of the options is intended
"${CPU_OPV_JAVA:-java}" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 ${CPU_OPV_JAVA_OPTS:-} \
	-Djava.io.tmpdir="$scratch" \
	-Dcpuopv.native.workdir="$scratch/native" \
	-Dcpuopv.test.requireKernel=true \
	-Dcpuopv.test.backends="${CPU_OPV_JAVA_BACKENDS:-kernel}" \
	-Dcpuopv.test.iterations="${CPU_OPV_JAVA_ITERATIONS:-2000}" \
	-Dcpuopv.test.vectors="${CPU_OPV_JAVA_VECTORS:-1000}" \
	-jar "$launcher" execute \
	--class-path "$cp" \
	--fail-if-no-tests \
	--disable-banner \
	--details=testfeed \
	--reports-dir "$reports" \
	"$@" || status=$?

if [ "$status" -ne 0 ]; then
	echo "guest-java-tests: FAILED (exit $status); reports in $reports" >&2
else
	echo "guest-java-tests: passed; reports in $reports"
fi
exit "$status"
