/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.percpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.cpuopv.Backend;
import org.cpuopv.CpuOpv;
import org.cpuopv.PerCpuArena;
import org.cpuopv.Slot;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class PerCpuSpinLockTest {
    static final String BACKENDS = "org.cpuopv.PerCpuTestSupport#backends";

    @ParameterizedTest
    @MethodSource(BACKENDS)
    void tryLockAnswersAndUnlockReleases(Backend b) {
        try (CpuOpv opv = CpuOpv.open(b); PerCpuSpinLock lock = new PerCpuSpinLock(opv);
             PerCpuContext ctx = new PerCpuContext(opv)) {
            int cpu = ctx.currentCpu();
            assertFalse(lock.isLocked(cpu));
            assertTrue(lock.tryLock(cpu));
            assertTrue(lock.isLocked(cpu));
            assertFalse(lock.tryLock(cpu), "held: a second try fails");
            lock.unlock(cpu);
            assertFalse(lock.isLocked(cpu));
            int c = lock.lockCurrent();
            assertTrue(lock.isLocked(c));
            lock.unlock(c);
        }
    }

    /**
     * Threads take random CPUs' locks (or their current CPU's) while migrating, and under the
     * lock do a non-atomic read-modify-write of that CPU's counter and check they are its only
     * owner: the counters' sum is exact only if the lock excluded everyone.
     */
    @Tag(Stress.TAG)
    @ParameterizedTest
    @MethodSource(BACKENDS)
    void mutualExclusionUnderMigration(Backend b) throws Exception {
        int threads = Stress.threads();
        int ops = Stress.ops(20_000, 200);
        long start = System.nanoTime();
        try (CpuOpv opv = CpuOpv.open(b); PerCpuSpinLock lock = new PerCpuSpinLock(opv);
             PerCpuArena data = opv.allocateArena(64)) {
            List<Stress.Worker> ws = Stress.run(opv, threads, 600, (id, w) -> {
                for (int i = 0; i < ops; i++) {
                    w.maybeMigrate();
                    int cpu;
                    if (w.unpinned() && w.rnd.nextBoolean()) {
                        cpu = w.randomCpu();
                        lock.lock(cpu);
                    } else {
                        cpu = lock.lockCurrent();
                    }
                    Slot s = data.slot(cpu);
                    s.putLong(8, id + 1);
                    long c = s.getLong(0);
                    for (int k = w.rnd.nextInt(4); k > 0; k--) {
                        Thread.onSpinWait();
                    }
                    s.putLong(0, c + 1);
                    assertEquals(id + 1, s.getLong(8), "another thread entered cpu " + cpu + "'s lock");
                    lock.unlock(cpu);
                }
            });
            long sum = 0;
            for (int i = 0; i < opv.possibleCpus().size(); i++) {
                int cpu = opv.possibleCpus().get(i);
                sum += data.slot(cpu).getLongVolatile(0);
                assertFalse(lock.isLocked(cpu));
            }
            assertEquals((long) threads * ops, sum, "increments under the locks");
            Stress.requireForcedSlowPath(opv, (long) threads * ops, "spin lock");
            Stress.report("spin lock", opv, start, threads + " threads x " + ops + " lock/unlock, "
                    + Stress.total(ws, w -> w.ctx.retries()) + " lost races, "
                    + Stress.total(ws, w -> w.moves) + " migrations");
        }
    }
}
