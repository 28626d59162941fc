/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.percpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.cpuopv.Backend;
import org.cpuopv.CpuOpv;
import org.cpuopv.internal.NativeCalls;
import org.cpuopv.internal.ThreadState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The context-free, one-call operations: per-thread state, sharing refused, the slow path forced. */
class FastPathTest {
    @ParameterizedTest
    @MethodSource(PerCpuSpinLockTest.BACKENDS)
    void contextFreeOperationsFromManyThreadsAreExact(Backend b) throws Exception {
        try (CpuOpv opv = CpuOpv.open(b); PerCpuCounter c = new PerCpuCounter(opv);
             PerCpuStealingStack st = new PerCpuStealingStack(opv, 1 << 16)) {
            int threads = Stress.threads();
            int n = Stress.ops(20_000, 500);
            AtomicLong popped = new AtomicLong();
            AtomicLong pushed = new AtomicLong();
            List<Thread> ts = new ArrayList<>();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                Thread th = new Thread(() -> {
                    try {
                        for (int i = 0; i < n; i++) {
                            c.add(1);
                            if (st.push(id * 1_000_000L + i)) {
                                pushed.incrementAndGet();
                            }
                            if (i % 2 == 0 && st.pop(-1) >= 0) {
                                popped.incrementAndGet();
                            }
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                }, "fast-" + t);
                ts.add(th);
                th.start();
            }
            for (Thread th : ts) {
                th.join();
            }
            if (failure.get() != null) {
                throw new AssertionError(failure.get());
            }
            assertEquals((long) threads * n, c.sum(), "every add landed once");
            long drained = 0;
            for (int cpu : opv.possibleCpus().toArray()) {
                while (st.popFrom(cpu, -1) >= 0) {
                    drained++;
                }
            }
            assertEquals(pushed.get(), popped.get() + drained, "pushed == popped + left");
            assertEquals((long) threads * n, c.sumAndReset());
            assertEquals(0, c.sum());
            System.out.println("fast path [" + b + ", " + opv.backendReason() + "]: " + threads + " x " + n);
        }
    }

    @ParameterizedTest
    @MethodSource(PerCpuSpinLockTest.BACKENDS)
    void aContextUsedByASecondThreadIsRefused(Backend b) throws Exception {
        try (CpuOpv opv = CpuOpv.open(b); PerCpuCounter c = new PerCpuCounter(opv);
             PerCpuContext ctx = new PerCpuContext(opv)) {
            ctx.checkThread();
            c.add(1);
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread t = new Thread(() -> {
                try {
                    ctx.checkThread();
                    c.add(1);
                } catch (Throwable e) {
                    thrown.set(e);
                }
            }, "intruder");
            t.start();
            t.join();
            assertTrue(thrown.get() instanceof IllegalStateException, "refused: " + thrown.get());
            assertTrue(thrown.get().getMessage().contains("intruder"), thrown.get().getMessage());
            assertEquals(1, c.sum(), "the refused add did nothing");
        }
    }

    /** Pool-like churn: thousands of short threads each pop once; their states are freed afterwards. */
    @ParameterizedTest
    @MethodSource(PerCpuSpinLockTest.BACKENDS)
    void perThreadStateIsReleasedWithItsThread(Backend b) throws Exception {
        try (CpuOpv opv = CpuOpv.open(b); PerCpuStack st = new PerCpuStack(opv, 16)) {
            long before = ThreadState.live();
            for (int i = 0; i < 2000; i++) {
                Thread t = new Thread(() -> st.pop(0));
                t.start();
                t.join();
            }
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (ThreadState.live() > before + 50 && System.nanoTime() < deadline) {
                System.gc();
                Thread.sleep(20);
            }
            assertTrue(ThreadState.live() <= before + 50, "thread states live: " + ThreadState.live()
                    + " (before: " + before + ")");
        }
    }

    @Test
    void autoSaysWhichBackendAndWhy() {
        try (CpuOpv opv = CpuOpv.open(Backend.AUTO)) {
            String why = opv.backendReason();
            assertTrue(why.length() > 10, why);
            if (opv.backend() == Backend.RSEQ) {
                assertTrue(why.contains("rseq"), why);
            }
        }
    }

    /** Injected aborts: the kernel backend runs the operation through cpu_opv, and stays exact. */
    @ParameterizedTest
    @MethodSource(PerCpuSpinLockTest.BACKENDS)
    void injectedAbortsStillCountExactly(Backend b) {
        if (b == Backend.EMULATED) {
            return; // no sections there
        }
        long[] before = new long[4];
        long[] after = new long[4];
        NativeCalls.pcStats(before);
        NativeCalls.pcInjectAborts(100);
        try (CpuOpv opv = CpuOpv.open(b); PerCpuCounter c = new PerCpuCounter(opv)) {
            for (int i = 0; i < 100; i++) {
                c.add(3);
            }
            assertEquals(300, c.sum());
        } finally {
            NativeCalls.pcInjectAborts(0);
        }
        NativeCalls.pcStats(after);
        // kernel: at most max-aborts injected attempts per add, then cpu_opv (the progress
        // guarantee); rseq backend: no fallback, all 100 injected, then the section
        long injected = after[1] - before[1];
        assertTrue(injected >= (b == Backend.KERNEL ? 100 : 100 * 100), "injected: " + injected);
        if (b == Backend.KERNEL) {
            assertTrue(after[2] - before[2] >= 100, "slow paths: " + (after[2] - before[2]));
        }
        assertThrows(IllegalArgumentException.class, () -> {
            try (CpuOpv opv = CpuOpv.open(b); PerCpuCounter c = new PerCpuCounter(opv)) {
                c.addOn(opv.possibleCpus().max() + 1, 1);
            }
        });
    }
}
