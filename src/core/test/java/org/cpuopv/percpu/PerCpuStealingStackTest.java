/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.percpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

import org.cpuopv.Backend;
import org.cpuopv.CpuOpv;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class PerCpuStealingStackTest {
    /** Pinned to one CPU, the thread steals the top of another CPU's stack onto its own. */
    @ParameterizedTest
    @MethodSource(PerCpuSpinLockTest.BACKENDS)
    void stealMovesTheVictimsTopHere(Backend b) throws Exception {
        assumeTrue(Stress.ALLOWED.size() >= 2, "needs two CPUs");
        int victim = Stress.ALLOWED.get(0);
        int here = Stress.ALLOWED.get(1);
        try (CpuOpv opv = CpuOpv.open(b); PerCpuStealingStack st = new PerCpuStealingStack(opv, 4)) {
            Stress.run(opv, 1, 120, (id, w) -> {
                st.pushOn(w.ctx, victim, 11);
                st.pushOn(w.ctx, victim, 22);
                assertEquals(2, st.peekSize(victim));
                assertEquals(22, st.peekTop(victim, -1));
                w.pinTo(here);   // moves the thread to `here`...
                w.unpin();       // ...and widens the mask again: stealing needs the victim in it
                assertTrue(st.trySteal(w.ctx, victim));
                assertEquals(22, w.ctx.value());
                assertEquals(2, st.peekSize(victim) + st.peekSize(here), "moved, not copied or lost");
                if (st.peekSize(here) == 1) { // the thread stayed on `here` (almost always)
                    assertEquals(22, st.peekTop(here, -1));
                    assertEquals(11, st.peekTop(victim, -1));
                }
                assertTrue(st.tryPopFrom(w.ctx, victim));
                assertTrue(st.tryPopFrom(w.ctx, here) || st.tryPopFrom(w.ctx, victim));
                assertFalse(st.trySteal(w.ctx, victim), "victim empty");
            });
        }
    }

    /**
     * Producers push numbered values on the CPU they run on; consumers pop from theirs and, when
     * it is empty, steal from a CPU whose stack they see non-empty, all while migrating. Every
     * value must be popped exactly once.
     */
    @ParameterizedTest
    @MethodSource(PerCpuSpinLockTest.BACKENDS)
    void workStealingLosesNothing(Backend b) throws Exception {
        int threads = Stress.threads();
        int producers = threads / 2;
        int per = Stress.ops(10_000, 300);
        int n = producers * per;
        long start = System.nanoTime();
        AtomicIntegerArray popped = new AtomicIntegerArray(n);
        AtomicInteger poppedCount = new AtomicInteger();
        AtomicInteger steals = new AtomicInteger();
        try (CpuOpv opv = CpuOpv.open(b); PerCpuStealingStack st = new PerCpuStealingStack(opv, 64)) {
            List<Stress.Worker> ws = Stress.run(opv, threads, 600, (id, w) -> {
                boolean producer = id < producers;
                int next = 0;
                while (producer ? next < per : poppedCount.get() < n) {
                    w.maybeMigrate();
                    if (producer) {
                        if (st.push(w.ctx, (long) (id * per + next) << 8 | 0x5A)) {
                            next++;
                        } else {
                            Thread.yield();
                        }
                        continue;
                    }
                    boolean got = st.tryPop(w.ctx);
                    if (!got && w.unpinned()) {
                        int victim = w.randomCpu();
                        if (st.peekSize(victim) > 0 && st.trySteal(w.ctx, victim)) {
                            steals.incrementAndGet();
                            got = st.tryPop(w.ctx);
                        }
                    }
                    if (!got) {
                        Thread.yield();
                        continue;
                    }
                    long v = w.ctx.value();
                    assertEquals(0x5A, v & 0xFF, "a torn or invented value " + v);
                    int k = (int) (v >>> 8);
                    assertEquals(0, popped.getAndIncrement(k), "value " + k + " popped twice");
                    poppedCount.incrementAndGet();
                }
            });
            for (int i = 0; i < n; i++) {
                assertEquals(1, popped.get(i), "value " + i);
            }
            Stress.report("stealing stack", opv, start, threads + " threads, " + n + " values, " + steals.get()
                    + " steals, " + Stress.total(ws, w -> w.ctx.retries()) + " failed compares, "
                    + Stress.total(ws, w -> w.moves) + " migrations");
        }
    }
}
