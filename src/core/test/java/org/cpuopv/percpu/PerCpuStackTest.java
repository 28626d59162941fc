/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.percpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

import org.cpuopv.Backend;
import org.cpuopv.CpuOpv;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class PerCpuStackTest {
    @ParameterizedTest
    @MethodSource(PerCpuSpinLockTest.BACKENDS)
    void fullAndEmptyAnswers(Backend b) {
        try (CpuOpv opv = CpuOpv.open(b); PerCpuStack st = new PerCpuStack(opv, 3);
             PerCpuContext ctx = new PerCpuContext(opv)) {
            int cpu = ctx.currentCpu();
            assertEquals(-1, st.popFrom(cpu, -1), "empty");
            for (long v = 1; v <= 3; v++) {
                assertTrue(st.pushOn(cpu, v * -7));
            }
            assertFalse(st.pushOn(cpu, 99), "full");
            assertEquals(3, st.size(cpu));
            for (long v = 3; v >= 1; v--) {
                assertEquals(v * -7, st.popFrom(cpu, 1));
            }
            assertEquals(42, st.popFrom(cpu, 42), "popFrom's empty answer");
        }
    }

    /**
     * Small stacks (so full is common), threads pushing their own numbered values on the CPU
     * they run on and popping from theirs or a random CPU's while migrating: every value must be
     * popped exactly once.
     */
    @Tag(Stress.TAG)
    @ParameterizedTest
    @MethodSource(PerCpuSpinLockTest.BACKENDS)
    void everyValuePoppedOnce(Backend b) throws Exception {
        int threads = Stress.threads();
        int per = Stress.ops(10_000, 300);
        int n = threads * per;
        long start = System.nanoTime();
        AtomicIntegerArray popped = new AtomicIntegerArray(n);
        AtomicInteger poppedCount = new AtomicInteger();
        AtomicInteger fulls = new AtomicInteger();
        try (CpuOpv opv = CpuOpv.open(b); PerCpuStack st = new PerCpuStack(opv, 16)) {
            List<Stress.Worker> ws = Stress.run(opv, threads, 600, (id, w) -> {
                int next = 0;
                while (next < per || poppedCount.get() < n) {
                    w.maybeMigrate();
                    if (next < per && w.rnd.nextInt(3) != 0) {
                        long value = ((long) (id * per + next) << 20) | 0xABCDE; // id in the high bits
                        if (st.push(value)) {
                            next++;
                            continue;
                        }
                        fulls.incrementAndGet();
                    }
                    long v = st.pop(-1); // values are >= 0
                    if (v < 0 && w.unpinned()) {
                        v = st.popFrom(w.randomCpu(), -1);
                    }
                    if (v < 0) {
                        Thread.yield();
                        continue;
                    }
                    assertEquals(0xABCDE, v & 0xFFFFF, "a torn or invented value " + v);
                    int k = (int) (v >>> 20);
                    assertEquals(0, popped.getAndIncrement(k), "value " + k + " popped twice");
                    poppedCount.incrementAndGet();
                }
            });
            for (int i = 0; i < n; i++) {
                assertEquals(1, popped.get(i), "value " + i);
            }
            Stress.requireForcedSlowPath(opv, 2L * n, "stack"); // each value pushed and popped
            Stress.report("stack", opv, start, threads + " threads, " + n + " values, " + fulls.get()
                    + " full answers, " + Stress.total(ws, w -> w.ctx.retries()) + " failed compares, "
                    + Stress.total(ws, w -> w.moves) + " migrations");
        }
    }
}
