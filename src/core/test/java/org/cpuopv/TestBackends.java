/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.cpuopv.internal.NativeCalls;
import org.cpuopv.internal.Errno;

/**
 * Which backends the behavioural suites run against: always EMULATED; KERNEL when
 * /dev/cpu_opv works, or always when the run requires it (in the VM:
 * -Dcpuopv.test.requireKernel=true or CPU_OPV_REQUIRE_KERNEL=1), so that a missing device
 * there fails loudly instead of skipping. -Dcpuopv.test.backends=kernel|emulated narrows the
 * behavioural suite (the differential test always runs the emulated backend too).
 */
final class TestBackends {
    static final boolean REQUIRE_KERNEL = Boolean.getBoolean("cpuopv.test.requireKernel")
            || "1".equals(System.getenv("CPU_OPV_REQUIRE_KERNEL"));

    private TestBackends() {
    }

    static boolean kernelInScope() {
        return REQUIRE_KERNEL || CpuOpv.isKernelAvailable();
    }

    static Stream<Backend> backends() {
        String only = System.getProperty("cpuopv.test.backends", "");
        List<Backend> list = new ArrayList<>();
        if (!only.equals("kernel")) {
            list.add(Backend.EMULATED);
        }
        if (!only.equals("emulated") && kernelInScope()) {
            list.add(Backend.KERNEL);
        }
        return list.stream();
    }

    /** Pins the calling thread to the given CPUs (native library required). */
    static void pin(int... cpus) {
        long[] mask = new long[16];
        for (int c : cpus) {
            mask[c / 64] |= 1L << (c % 64);
        }
        int r = NativeCalls.setAffinity(mask);
        if (r != 0) {
            throw new IllegalStateException("sched_setaffinity: " + Errno.name(-r));
        }
    }

    /** @return the calling thread's affinity as CPU numbers */
    static CpuSet affinity() {
        long[] mask = new long[16];
        int r = NativeCalls.getAffinity(mask);
        if (r != 0) {
            throw new IllegalStateException("sched_getaffinity: " + Errno.name(-r));
        }
        java.util.BitSet bits = java.util.BitSet.valueOf(mask);
        return CpuSet.of(bits.stream().toArray());
    }
}
