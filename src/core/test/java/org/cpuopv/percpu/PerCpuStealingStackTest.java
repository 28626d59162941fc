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
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class PerCpuStealingStackTest {
    /** The thread takes the top of another CPU's stack: it is the caller's, on no stack any more. */
    @ParameterizedTest
    @MethodSource(PerCpuSpinLockTest.BACKENDS)
    void stealHandsTheVictimsTopToTheCaller(Backend b) throws Exception {
        assumeTrue(Stress.ALLOWED.size() >= 2, "needs two CPUs");
        int victim = Stress.ALLOWED.get(0);
        int here = Stress.ALLOWED.get(1);
        try (CpuOpv opv = CpuOpv.open(b); PerCpuStealingStack st = new PerCpuStealingStack(opv, 4)) {
            Stress.run(opv, 1, 120, (id, w) -> {
                st.pushOn(victim, 11);
                st.pushOn(victim, 22);
                assertEquals(2, st.peekSize(victim));
                assertEquals(22, st.peekTop(victim, -1));
                w.pinTo(here);   // moves the thread to `here`...
                w.unpin();       // ...and widens the mask again: stealing needs the victim in it
                assertEquals(22, st.steal(victim, -1));
                assertEquals(1, st.peekSize(victim), "taken, not copied");
                assertEquals(11, st.popAny(-1), "here is empty: popAny takes from the victim");
                assertEquals(-1, st.steal(victim, -1), "victim empty");
                assertEquals(-1, st.popAny(-1), "all empty");
            });
        }
    }

    /**
     * Review bug: with the thread restricted to one CPU of a machine with more (a container's
     * cpuset), popAny/sumAndReset visited every possible CPU: EINVAL from the first unreachable
     * one (a thrown exception instead of an answer; sumAndReset lost what it had taken). They
     * visit the CPUs the thread may run on, and leave the others' values where they are.
     */
    @ParameterizedTest
    @MethodSource(PerCpuSpinLockTest.BACKENDS)
    void restrictedToOneCpuNothingIsLostOrThrown(Backend b) throws Exception {
        assumeTrue(Stress.ALLOWED.size() >= 2, "needs two CPUs");
        int mine = Stress.ALLOWED.get(0);
        int other = Stress.ALLOWED.get(1);
        try (CpuOpv opv = CpuOpv.open(b); PerCpuStealingStack st = new PerCpuStealingStack(opv, 2);
             PerCpuCounter c = new PerCpuCounter(opv)) {
            Stress.run(opv, 1, 120, (id, w) -> {
                st.pushOn(other, 42);
                st.pushOn(other, 43);
                c.addOn(other, 5);
                w.pinTo(mine); // the only CPU this thread may run on now
                assertEquals(-1, st.popAny(-1), "only an unreachable stack holds values");
                assertEquals(2, st.peekSize(other), "left where they are");
                long got = -1; // a steal naming that CPU: refused (kernel: EINVAL), or done by a move there
                try {
                    got = st.steal(other, -1);
                } catch (IllegalArgumentException unreachable) {
                    // nothing taken
                }
                assertEquals(got >= 0 ? 1 : 2, st.peekSize(other), "one value taken, or none: never lost");
                assertTrue(st.push(1) && st.push(2));
                assertFalse(st.push(3), "every reachable stack full: an answer, not a spin");
                assertFalse(st.pushOn(mine, 3));
                assertEquals(2, st.popAny(-1));
                assertEquals(1, st.popAny(-1));
                c.add(3);
                assertEquals(3, c.sumAndReset(), "what this thread can reach");
                assertEquals(5, c.sum(), "the unreachable count is still counted, not lost");
                w.unpin();
                assertEquals(5, c.sumAndReset());
                assertEquals(43, got >= 0 ? got : st.popFrom(other, -1));
                assertEquals(42, st.popFrom(other, -1));
                assertEquals(-1, st.popAny(-1));
            });
        }
    }

    /**
     * Producers push numbered values on the CPU they run on; consumers pop from theirs and, when
     * it is empty, steal from a CPU whose stack they see non-empty, all while migrating. Every
     * value must be popped exactly once.
     */
    @Tag(Stress.TAG)
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
                        if (st.push((long) (id * per + next) << 8 | 0x5A)) {
                            next++;
                        } else {
                            Thread.yield();
                        }
                        continue;
                    }
                    long v = st.pop(-1); // values are >= 0
                    if (v < 0 && w.unpinned()) {
                        int victim = w.randomCpu();
                        if (st.peekSize(victim) > 0 && (v = st.steal(victim, -1)) >= 0) {
                            steals.incrementAndGet();
                        } else if (w.rnd.nextBoolean()) {
                            v = st.popAny(-1);
                        }
                    }
                    if (v < 0) {
                        Thread.yield();
                        continue;
                    }
                    assertEquals(0x5A, v & 0xFF, "a torn or invented value " + v);
                    int k = (int) (v >>> 8);
                    assertEquals(0, popped.getAndIncrement(k), "value " + k + " popped twice");
                    poppedCount.incrementAndGet();
                }
            });
            for (int i = 0; i < n; i++) {
                assertEquals(1, popped.get(i), "value " + i);
            }
            Stress.requireForcedSlowPath(opv, 2L * n, "stealing stack"); // pushed, and popped or stolen
            Stress.report("stealing stack", opv, start, threads + " threads, " + n + " values, " + steals.get()
                    + " steals, " + Stress.total(ws, w -> w.ctx.retries()) + " failed compares, "
                    + Stress.total(ws, w -> w.moves) + " migrations");
        }
    }
}
