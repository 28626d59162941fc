/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.percpu;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.cpuopv.Backend;
import org.cpuopv.internal.NativeCalls;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The stress tests of the seven structures once more, with 100 aborts injected per operation
 * ({@link Stress#withInjectedAborts}): on the kernel backend (the guest suite's percpu step)
 * every operation gives up on rseq after 8 aborts and runs through cpu_opv, and each test
 * asserts from the library's counters that it did; on the rseq backend (the host) each retries
 * its sections past the injected aborts. Same checks as the fast-path runs: every item exactly
 * once, counters exact. In the same JVM as the fast-path runs (test-vm/guest-steps.d/percpu.sh),
 * so it costs no JVM start in the guest; the run without rseq needs a JVM of its own
 * (test-vm/guest-steps.d/percpu-slow.sh).
 */
class InjectedAbortsStressTest {
    private static final int ABORTS = 100;

    private static void injected(Backend b, Executable test) throws Throwable {
        assumeTrue(b != Backend.EMULATED, "no sections on the emulated backend: nothing to abort");
        assumeTrue(NativeCalls.rseqStatus() == 0, "no rseq in this JVM: nothing to abort");
        Stress.withInjectedAborts(ABORTS, test);
    }

    @ParameterizedTest
    @MethodSource(PerCpuSpinLockTest.BACKENDS)
    void spinLock(Backend b) throws Throwable {
        injected(b, () -> new PerCpuSpinLockTest().mutualExclusionUnderMigration(b));
    }

    @ParameterizedTest
    @MethodSource(PerCpuSpinLockTest.BACKENDS)
    void counter(Backend b) throws Throwable {
        injected(b, () -> new PerCpuCounterTest().sumsAreExactUnderMigrationAndConcurrentResets(b));
    }

    @ParameterizedTest
    @MethodSource(PerCpuSpinLockTest.BACKENDS)
    void lifoList(Backend b) throws Throwable {
        injected(b, () -> new PerCpuLifoListTest().everyNodePoppedOnceWhileNodesAreFreed(b));
    }

    @ParameterizedTest
    @MethodSource(PerCpuSpinLockTest.BACKENDS)
    void stack(Backend b) throws Throwable {
        injected(b, () -> new PerCpuStackTest().everyValuePoppedOnce(b));
    }

    @ParameterizedTest
    @MethodSource(PerCpuSpinLockTest.BACKENDS)
    void stealingStack(Backend b) throws Throwable {
        injected(b, () -> new PerCpuStealingStackTest().workStealingLosesNothing(b));
    }

    @ParameterizedTest
    @MethodSource(PerCpuSpinLockTest.BACKENDS)
    void recordStack(Backend b) throws Throwable {
        injected(b, () -> new PerCpuRecordStackTest().everyRecordPoppedOnceIntact(b));
    }

    @ParameterizedTest
    @MethodSource(PerCpuSpinLockTest.BACKENDS)
    void ringBuffer(Backend b) throws Throwable {
        injected(b, () -> new PerCpuRingBufferTest().recordsArriveOnceIntactAndInPerCpuOrder(b));
    }
}
