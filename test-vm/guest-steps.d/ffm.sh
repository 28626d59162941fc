#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# The per-CPU structures once more on a JDK 25, from the multi-release jar
# with native access: their own-CPU operations are critical FFM downcalls
# (META-INF/versions/22), and everything that may block (more attempts,
# cpu_opv after bounded aborts, cpu_opv on another CPU) the second,
# ordinary downcall: the percpu stress, the injected-abort tests and the
# differential test against the real module.  DowncallsTest fails the step
# when the jar's Java 22 layer is not what ran.
#   test-vm/run --kernel 6.1 -- sh test-vm/guest-steps.d/ffm.sh
set -eu
jdk=${CPU_OPV_FFM_JDK:-/usr/lib/jvm/temurin-25-jdk-amd64}
jar=$(ls src/core/target/cpu-opv-*.jar 2>/dev/null | grep -v -e sources -e javadoc | head -n 1)
if [ ! -x "$jdk/bin/java" ] || [ -z "$jar" ]; then
	echo "ffm: needs $jdk/bin/java and the built jar (src/core/target/cpu-opv-*.jar)" >&2
	exit 1
fi
if [ -n "${CPU_OPV_OUT:-}" ]; then
	CPU_OPV_OUT=$CPU_OPV_OUT/ffm
	mkdir -p "$CPU_OPV_OUT"
	export CPU_OPV_OUT
fi
CPU_OPV_JAVA="$jdk/bin/java" CPU_OPV_JAVA_LIBRARY="$jar" \
CPU_OPV_JAVA_OPTS="--enable-native-access=ALL-UNNAMED -Dcpuopv.test.expectDowncalls=FFM ${CPU_OPV_JAVA_OPTS:-}" \
	exec sh test-vm/guest-java-tests.sh \
	--select-class org.cpuopv.DowncallsTest \
	--select-class org.cpuopv.PerCpuOpsDifferentialTest \
	--select-package org.cpuopv.percpu
