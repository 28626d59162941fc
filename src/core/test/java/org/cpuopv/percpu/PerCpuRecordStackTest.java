/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.percpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

import org.cpuopv.Backend;
import org.cpuopv.CpuOpv;
import org.cpuopv.PerCpuArena;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class PerCpuRecordStackTest {
    /** Record k: 4 bytes of k, then bytes from a generator seeded with k; its length is a function of k. */
    static int fill(byte[] buf, int k, int max) {
        SplittableRandom r = new SplittableRandom(k * 7919L + 1);
        int len = k % 5 == 0 ? max : 4 + r.nextInt(max - 3);
        buf[0] = (byte) (k >>> 24);
        buf[1] = (byte) (k >>> 16);
        buf[2] = (byte) (k >>> 8);
        buf[3] = (byte) k;
        for (int i = 4; i < len; i++) {
            buf[i] = (byte) r.nextInt();
        }
        return len;
    }

    static int idOf(byte[] buf) {
        return (buf[0] & 0xff) << 24 | (buf[1] & 0xff) << 16 | (buf[2] & 0xff) << 8 | (buf[3] & 0xff);
    }

    @ParameterizedTest
    @MethodSource(PerCpuSpinLockTest.BACKENDS)
    void recordsOfEverySizeComeBackIntact(Backend b) throws Exception {
        try (CpuOpv opv = CpuOpv.open(b); PerCpuRecordStack st = new PerCpuRecordStack(opv, 3, 4096);
             PerCpuArena src = opv.allocateArena(4096)) {
            Stress.run(opv, 1, 120, (id, w) -> {
                w.pinTo(w.ctx.currentCpu()); // the stack answers per CPU: stay on one
                byte[] in = new byte[4096];
                byte[] out = new byte[4096];
                assertEquals(-1, st.pop(out, 0), "empty");
                int len = fill(in, 5, 4096);
                assertEquals(4096, len);
                assertTrue(st.push(in, 0, len));
                assertTrue(st.push(in, 0, 0));
                int cpu = w.ctx.currentCpu();
                src.slot(cpu).putBytes(0, in, 0, 100);
                assertTrue(st.push(src.slot(cpu), 0, 100));
                assertFalse(st.push(in, 0, 1), "full");
                assertEquals(100, st.pop(out, 0));
                assertEquals(java.nio.ByteBuffer.wrap(in, 0, 100), java.nio.ByteBuffer.wrap(out, 0, 100));
                assertEquals(0, st.pop(out, 0));
                assertEquals(4096, st.pop(src.slot(cpu), 0), "straight into native memory");
                byte[] back = new byte[4096];
                src.slot(cpu).getBytes(0, back, 0, 4096);
                assertEquals(java.nio.ByteBuffer.wrap(in), java.nio.ByteBuffer.wrap(back));
                assertEquals(-1, st.pop(out, 0));
            });
        }
    }

    /** Numbered records of up to 4 KiB pushed and popped by migrating threads: each once, intact. */
    @Tag(Stress.TAG)
    @ParameterizedTest
    @MethodSource(PerCpuSpinLockTest.BACKENDS)
    void everyRecordPoppedOnceIntact(Backend b) throws Exception {
        int threads = Stress.threads();
        int per = Stress.ops(5_000, 150);
        int n = threads * per;
        int max = 4096;
        long start = System.nanoTime();
        AtomicIntegerArray popped = new AtomicIntegerArray(n);
        AtomicInteger poppedCount = new AtomicInteger();
        try (CpuOpv opv = CpuOpv.open(b); PerCpuRecordStack st = new PerCpuRecordStack(opv, 8, max)) {
            List<Stress.Worker> ws = Stress.run(opv, threads, 600, (id, w) -> {
                byte[] in = new byte[max];
                byte[] out = new byte[max];
                byte[] expect = new byte[max];
                int next = 0;
                while (next < per || poppedCount.get() < n) {
                    w.maybeMigrate();
                    if (next < per && w.rnd.nextBoolean()) {
                        int k = id * per + next;
                        int len = fill(in, k, max);
                        if (st.push(in, 0, len)) {
                            next++;
                            continue;
                        }
                    }
                    int len = st.pop(out, 0);
                    if (len < 0 && w.unpinned() && w.rnd.nextInt(4) == 0) {
                        len = st.popFrom(w.randomCpu(), out, 0); // another CPU's: cpu_opv there, or a move
                    }
                    if (len < 0) {
                        Thread.yield();
                        continue;
                    }
                    int k = idOf(out);
                    assertTrue(k >= 0 && k < n, "record id " + k);
                    int want = fill(expect, k, max);
                    assertEquals(want, len, "record " + k + " length");
                    assertEquals(java.nio.ByteBuffer.wrap(expect, 0, len), java.nio.ByteBuffer.wrap(out, 0, len),
                            "record " + k + " torn");
                    assertEquals(0, popped.getAndIncrement(k), "record " + k + " popped twice");
                    poppedCount.incrementAndGet();
                }
            });
            for (int i = 0; i < n; i++) {
                assertEquals(1, popped.get(i), "record " + i);
            }
            Stress.requireForcedSlowPath(opv, 2L * n, "record stack"); // each record pushed and popped
            Stress.report("record stack", opv, start, threads + " threads, " + n + " records of 4..4096 bytes, "
                    + Stress.total(ws, w -> w.ctx.retries()) + " failed compares, "
                    + Stress.total(ws, w -> w.moves) + " migrations");
        }
    }
}
