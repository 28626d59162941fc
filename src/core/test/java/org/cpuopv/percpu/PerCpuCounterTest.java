/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.percpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.cpuopv.Backend;
import org.cpuopv.CpuOpv;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class PerCpuCounterTest {
    @ParameterizedTest
    @MethodSource(PerCpuSpinLockTest.BACKENDS)
    void addsLandOnTheirCpuAndSumAndResetTakesThemOut(Backend b) {
        try (CpuOpv opv = CpuOpv.open(b); PerCpuCounter c = new PerCpuCounter(opv);
             PerCpuContext ctx = new PerCpuContext(opv)) {
            int cpu = ctx.currentCpu();
            c.addOn(cpu, 5);
            c.addOn(cpu, -2);
            assertEquals(3, c.get(cpu));
            c.add(10);
            assertEquals(13, c.sum());
            assertEquals(13, c.sumAndReset());
            assertEquals(0, c.sum());
            c.addOn(cpu, Long.MAX_VALUE);
            c.addOn(cpu, 1);
            assertEquals(Long.MIN_VALUE, c.get(cpu), "wraps");
            c.reset();
            assertEquals(0, c.sum());
        }
    }

    /** After close every operation is refused, the own-CPU add too (it wrote quarantined memory). */
    @ParameterizedTest
    @MethodSource(PerCpuSpinLockTest.BACKENDS)
    void aClosedCounterRefusesEveryOperation(Backend b) {
        try (CpuOpv opv = CpuOpv.open(b)) {
            PerCpuCounter c = new PerCpuCounter(opv);
            c.add(1);
            c.close();
            assertThrows(IllegalStateException.class, () -> c.add(1));
            assertThrows(IllegalStateException.class, () -> c.addOn(opv.onlineCpus().get(0), 1));
            assertThrows(IllegalStateException.class, c::sumAndReset);
        }
    }

    /**
     * Workers add on their current CPU and on random CPUs while migrating; one of them drains
     * the counter now and then with sumAndReset. What was drained plus what is left must be
     * exactly what was added.
     */
    @Tag(Stress.TAG)
    @ParameterizedTest
    @MethodSource(PerCpuSpinLockTest.BACKENDS)
    void sumsAreExactUnderMigrationAndConcurrentResets(Backend b) throws Exception {
        int threads = Stress.threads();
        int ops = Stress.ops(40_000, 400);
        long start = System.nanoTime();
        AtomicLong added = new AtomicLong();
        AtomicLong drained = new AtomicLong();
        try (CpuOpv opv = CpuOpv.open(b); PerCpuCounter c = new PerCpuCounter(opv)) {
            List<Stress.Worker> ws = Stress.run(opv, threads, 600, (id, w) -> {
                long mine = 0;
                for (int i = 0; i < ops; i++) {
                    w.maybeMigrate();
                    long delta = 1 + w.rnd.nextInt(1000);
                    if (w.unpinned() && w.rnd.nextInt(4) == 0) {
                        c.addOn(w.randomCpu(), delta);
                    } else {
                        c.add(delta);
                    }
                    mine += delta;
                    if (id == 0 && w.unpinned() && i % 64 == 0) {
                        drained.addAndGet(c.sumAndReset());
                    }
                }
                added.addAndGet(mine);
            });
            assertEquals(added.get(), drained.get() + c.sum(), "drained + left == added");
            Stress.requireForcedSlowPath(opv, (long) threads * ops, "counter");
            Stress.report("counter", opv, start, threads + " threads x " + ops + " adds, total " + added.get()
                    + " (" + drained.get() + " drained concurrently), "
                    + Stress.total(ws, w -> w.moves) + " migrations");
        }
    }
}
