/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv;

import java.util.stream.Stream;
import org.cpuopv.internal.NativeLibrary;

/**
 * Public access to the suite's backend selection and to thread affinity, for test packages
 * outside org.cpuopv (org.cpuopv.percpu): the same rules as {@link TestBackends}.
 */
public final class PerCpuTestSupport {
    private PerCpuTestSupport() {
    }

    /** @return the backends in scope (see {@link TestBackends}): a JUnit MethodSource */
    public static Stream<Backend> backends() {
        // the structures also run on the rseq backend wherever glibc registered rseq
        boolean rseq = !System.getProperty("cpuopv.test.backends", "").equals("kernel")
                && !System.getProperty("cpuopv.test.backends", "").equals("emulated")
                && CpuOpv.rseqUnavailabilityReason() == null;
        return Stream.concat(TestBackends.backends(), rseq ? Stream.of(Backend.RSEQ) : Stream.empty());
    }

    /** @return whether this run requires the kernel backend (the VM) */
    public static boolean requireKernel() {
        return TestBackends.REQUIRE_KERNEL;
    }

    /** @return the calling thread's affinity */
    public static CpuSet affinity() {
        NativeLibrary.ensureLoaded(); // the affinity calls are native: load the library first
        return TestBackends.affinity();
    }

    /** Sets the calling thread's affinity to {@code cpus} (moves it when it runs elsewhere). */
    public static void pin(int... cpus) {
        NativeLibrary.ensureLoaded();
        TestBackends.pin(cpus);
    }

    /** Sets the calling thread's affinity to every CPU of {@code set}. */
    public static void pin(CpuSet set) {
        TestBackends.pin(set.toArray());
    }
}
