/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.percpu;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;

import org.cpuopv.Backend;
import org.cpuopv.CpuOpv;
import org.cpuopv.PageRegion;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The hot paths allocate nothing once warm: measured with the thread's allocation counter. */
class AllocationFreeTest {
    @ParameterizedTest
    @MethodSource(PerCpuSpinLockTest.BACKENDS)
    void hotPathsDoNotAllocate(Backend b) {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (CpuOpv opv = CpuOpv.open(b); PerCpuContext ctx = new PerCpuContext(opv);
             PerCpuSpinLock lock = new PerCpuSpinLock(opv); PerCpuCounter counter = new PerCpuCounter(opv);
             PerCpuStealingStack stack = new PerCpuStealingStack(opv, 8);
             PerCpuRecordStack records = new PerCpuRecordStack(opv, 4, 256);
             PerCpuRingBuffer ring = new PerCpuRingBuffer(opv, 4, 256);
             PageRegion nodes = PageRegion.allocate(opv, 1);
             PerCpuLifoList list = new PerCpuLifoList(opv, nodes, 0)) {
            byte[] rec = new byte[256];
            int rounds = Stress.ops(3_000, 300);
            long allocated = 0;
            for (int pass = 0; pass < 2; pass++) { // the first pass warms up (class loading, JIT)
                long id = Thread.currentThread().getId();
                long before = mx.getThreadAllocatedBytes(id);
                for (int i = 0; i < rounds; i++) {
                    int cpu = lock.lockCurrent();
                    lock.unlock(cpu);
                    counter.add(1);
                    stack.push(i);
                    stack.popAny(-1);
                    records.push(rec, 0, 100);
                    records.pop(rec, 0); // empty if we migrated: fine, the stack answers full later
                    list.push(0);
                    if (list.pop(-1) == -1) { // migrated: the node is on another CPU
                        for (int c = 0; c < opv.possibleCpus().size(); c++) {
                            if (list.popFrom(opv.possibleCpus().get(c), -1) != -1) {
                                break;
                            }
                        }
                    }
                    long claim = ring.tryClaim();
                    if (claim != PerCpuRingBuffer.FULL) {
                        ring.write(claim, rec, 0, 10);
                        ring.commit(claim);
                        ring.poll(PerCpuRingBuffer.claimCpu(claim), rec, 0);
                    }
                    if (ring.offer(rec, 0, 20)) {
                        for (int c = 0; c < opv.possibleCpus().size(); c++) {
                            ring.poll(opv.possibleCpus().get(c), rec, 0);
                        }
                    }
                }
                allocated = mx.getThreadAllocatedBytes(id) - before;
            }
            // A few hundred bytes of noise (e.g. the JIT's own bookkeeping) are tolerated; an
            // allocation per operation would be tens of bytes times thousands.
            assertTrue(allocated < 4096, rounds + " rounds of every hot path allocated " + allocated + " bytes");
        }
    }
}
