/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.percpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.cpuopv.Backend;
import org.cpuopv.CpuOpv;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class PerCpuRingBufferTest {
    @ParameterizedTest
    @MethodSource(PerCpuSpinLockTest.BACKENDS)
    void onlyCommittedRecordsInClaimOrder(Backend b) throws Exception {
        try (CpuOpv opv = CpuOpv.open(b); PerCpuRingBuffer ring = new PerCpuRingBuffer(opv, 2, 16)) {
            Stress.run(opv, 1, 120, (id, w) -> {
                w.pinTo(w.ctx.currentCpu());
                int cpu = w.ctx.currentCpu();
                byte[] out = new byte[16];
                long first = ring.tryClaim();
                long second = ring.tryClaim();
                assertTrue(first >= 0 && second >= 0);
                assertEquals(PerCpuRingBuffer.FULL, ring.tryClaim(), "full: 2 claimed");
                assertEquals(cpu, PerCpuRingBuffer.claimCpu(first));
                assertEquals(0, PerCpuRingBuffer.claimPosition(first));
                assertEquals(1, PerCpuRingBuffer.claimPosition(second));
                ring.write(second, "second".getBytes(), 0, 6);
                ring.commit(second);
                assertThrows(IllegalStateException.class, () -> ring.commit(second), "ended: a second commit");
                assertEquals(PerCpuRingBuffer.EMPTY, ring.poll(cpu, out, 0), "the first is not committed: nothing yet");
                ring.write(first, "first".getBytes(), 0, 5);
                ring.commit(first);
                assertEquals(5, ring.poll(cpu, out, 0));
                assertEquals("first", new String(out, 0, 5));
                assertEquals(6, ring.poll(cpu, out, 0));
                assertEquals("second", new String(out, 0, 6));
                assertEquals(PerCpuRingBuffer.EMPTY, ring.poll(cpu, out, 0));
                for (int lap = 0; lap < 5; lap++) { // wraps: the commit counters count laps
                    long c = ring.tryClaim();
                    ring.write(c, new byte[] {(byte) lap}, 0, 1);
                    ring.commit(c);
                    assertEquals(1, ring.poll(cpu, out, 0));
                    assertEquals(lap, out[0]);
                    assertTrue(ring.offer(new byte[] {(byte) (lap + 10)}, 0, 1));
                    assertEquals(1, ring.poll(cpu, out, 0));
                    assertEquals(lap + 10, out[0]);
                }
            });
        }
    }

    /**
     * Positions map to entries and laps at any capacity, a power of two or not: every entry
     * claimed, committed in reverse, polled in claim order, lap after lap; a claim already
     * ended is refused on every lap.
     */
    @ParameterizedTest
    @MethodSource(PerCpuSpinLockTest.BACKENDS)
    void entriesAndLapsAtAnyCapacity(Backend b) throws Exception {
        for (int capacity : new int[] {1, 3, 4, 5, 7}) {
            try (CpuOpv opv = CpuOpv.open(b); PerCpuRingBuffer ring = new PerCpuRingBuffer(opv, capacity, 8)) {
                Stress.run(opv, 1, 120, (id, w) -> {
                    w.pinTo(w.ctx.currentCpu());
                    int cpu = w.ctx.currentCpu();
                    byte[] out = new byte[8];
                    long[] claims = new long[capacity];
                    for (int lap = 0; lap < 4; lap++) {
                        for (int i = 0; i < capacity; i++) {
                            claims[i] = ring.tryClaim();
                            assertEquals((long) lap * capacity + i, PerCpuRingBuffer.claimPosition(claims[i]));
                        }
                        assertEquals(PerCpuRingBuffer.FULL, ring.tryClaim(), "capacity " + capacity + " full");
                        for (int i = capacity - 1; i >= 0; i--) {
                            ring.write(claims[i], new byte[] {(byte) lap, (byte) i}, 0, 2);
                            ring.commit(claims[i]);
                            long ended = claims[i];
                            assertThrows(IllegalStateException.class, () -> ring.commit(ended), "committed twice");
                        }
                        for (int i = 0; i < capacity; i++) {
                            assertEquals(2, ring.poll(cpu, out, 0));
                            assertEquals(lap, out[0], "capacity " + capacity + " lap");
                            assertEquals(i, out[1], "capacity " + capacity + " claim order");
                        }
                        assertEquals(PerCpuRingBuffer.EMPTY, ring.poll(cpu, out, 0));
                    }
                    assertEquals(4L * capacity, ring.consumerPosition(cpu));
                });
            }
        }
    }

    /** Review bug: a reservation lived in the context, so ringB.commit(ctx) after ringA.reserve(ctx) corrupted B. */
    @ParameterizedTest
    @MethodSource(PerCpuSpinLockTest.BACKENDS)
    void aClaimOfOneRingIsRefusedByAnother(Backend b) throws Exception {
        try (CpuOpv opv = CpuOpv.open(b); PerCpuRingBuffer ringA = new PerCpuRingBuffer(opv, 4, 16);
             PerCpuRingBuffer ringB = new PerCpuRingBuffer(opv, 4, 16)) {
            Stress.run(opv, 1, 120, (id, w) -> {
                w.pinTo(w.ctx.currentCpu());
                int cpu = w.ctx.currentCpu();
                byte[] out = new byte[16];
                long a = ringA.tryClaim();
                assertThrows(IllegalStateException.class, () -> ringB.commit(a));
                assertThrows(IllegalStateException.class, () -> ringB.abort(a));
                assertEquals(PerCpuRingBuffer.EMPTY, ringB.poll(cpu, out, 0), "B got nothing nobody wrote");
                assertTrue(ringB.offer("b".getBytes(), 0, 1));
                ringA.write(a, "a".getBytes(), 0, 1);
                ringA.commit(a);
                assertEquals(1, ringB.poll(cpu, out, 0));
                assertEquals('b', out[0]);
                assertEquals(1, ringA.poll(cpu, out, 0));
                assertEquals('a', out[0]);
                assertEquals(PerCpuRingBuffer.EMPTY, ringA.poll(cpu, out, 0));
            });
        }
    }

    /** Review bug: an exception between reserve and commit blocked that CPU's buffer forever. */
    @ParameterizedTest
    @MethodSource(PerCpuSpinLockTest.BACKENDS)
    void anAbortedClaimIsSkippedAndBlocksNothing(Backend b) throws Exception {
        try (CpuOpv opv = CpuOpv.open(b); PerCpuRingBuffer ring = new PerCpuRingBuffer(opv, 4, 16)) {
            Stress.run(opv, 1, 120, (id, w) -> {
                w.pinTo(w.ctx.currentCpu());
                int cpu = w.ctx.currentCpu();
                byte[] out = new byte[16];
                for (int round = 0; round < 10; round++) { // more than the capacity: aborted entries are freed
                    long claim = ring.tryClaim();
                    try {
                        ring.write(claim, new byte[64], 0, 64); // the caller's code fails mid-record
                        ring.commit(claim);
                    } catch (IllegalArgumentException expected) {
                        ring.abort(claim);
                    }
                    assertThrows(IllegalStateException.class, () -> ring.commit(claim), "ended by the abort");
                    assertThrows(IndexOutOfBoundsException.class, () -> ring.offer(new byte[2], 1, 2));
                    assertTrue(ring.offer("next".getBytes(), 0, 4));
                    assertEquals(4, ring.poll(cpu, out, 0), "the aborted entry is skipped");
                    assertEquals("next", new String(out, 0, 4));
                    assertEquals(PerCpuRingBuffer.EMPTY, ring.poll(cpu, out, 0));
                }
                assertEquals(ring.claimedCount(cpu), ring.consumerPosition(cpu));
            });
        }
    }

    // Record layout: producer int, seq int, cpu int, position long, then filler derived from them.
    private static int fill(ByteBuffer bb, int producer, int seq, int cpu, long pos, int len) {
        bb.clear();
        bb.putInt(producer).putInt(seq).putInt(cpu).putLong(pos);
        for (int i = 20; i < len; i++) {
            bb.put((byte) (producer * 31 + seq * 17 + i));
        }
        return len;
    }

    /**
     * Producers (twice the CPUs) reserve on their CPU, often get moved to another CPU before
     * writing and committing (pinned away, then the mask widened again), and commit on the
     * reserving CPU; one consumer polls every CPU's buffer. Each record must arrive once, intact,
     * on the CPU it was reserved on, at its reserved position (so per-CPU order is reservation
     * order), and each producer's records on one CPU in its own order.
     */
    @Tag(Stress.TAG)
    @ParameterizedTest
    @MethodSource(PerCpuSpinLockTest.BACKENDS)
    void recordsArriveOnceIntactAndInPerCpuOrder(Backend b) throws Exception {
        int producers = Stress.threads();
        int per = Stress.ops(10_000, 300);
        long total = (long) producers * per;
        int max = 128;
        long start = System.nanoTime();
        AtomicLong migratedCommits = new AtomicLong();
        AtomicInteger fulls = new AtomicInteger();
        AtomicBoolean producing = new AtomicBoolean(true);
        try (CpuOpv opv = CpuOpv.open(b); PerCpuRingBuffer ring = new PerCpuRingBuffer(opv, 32, max)) {
            int cpus = opv.possibleCpus().max() + 1;
            long[] nextPosition = new long[cpus];
            int[][] lastSeq = new int[producers][cpus];
            for (int[] row : lastSeq) {
                java.util.Arrays.fill(row, -1);
            }
            boolean[] seen = new boolean[(int) total];
            long[] consumed = new long[1];
            Throwable[] consumerFailure = new Throwable[1];
            Thread consumer = new Thread(() -> {
                byte[] out = new byte[max];
                ByteBuffer bb = ByteBuffer.wrap(out);
                byte[] expect = new byte[max];
                ByteBuffer eb = ByteBuffer.wrap(expect);
                try {
                    while (consumed[0] < total) {
                        // Read before the pass: if the producers were done then, this pass
                        // sees every commit (each happened before producing was cleared).
                        boolean producersDone = !producing.get();
                        boolean any = false;
                        for (int i = 0; i < opv.possibleCpus().size(); i++) {
                            int cpu = opv.possibleCpus().get(i);
                            int len;
                            while ((len = ring.poll(cpu, out, 0)) >= 0) {
                                any = true;
                                bb.clear();
                                int producer = bb.getInt();
                                int seq = bb.getInt();
                                int onCpu = bb.getInt();
                                long pos = bb.getLong();
                                assertEquals(cpu, onCpu, "record in the buffer of the CPU it was reserved on");
                                assertEquals(nextPosition[cpu], pos, "cpu " + cpu + " records out of order");
                                nextPosition[cpu]++;
                                assertTrue(seq > lastSeq[producer][cpu], "producer " + producer + " on cpu " + cpu
                                        + ": seq " + seq + " after " + lastSeq[producer][cpu]);
                                lastSeq[producer][cpu] = seq;
                                int k = producer * per + seq;
                                assertFalse(seen[k], "record " + k + " twice");
                                seen[k] = true;
                                int want = 20 + (producer * 7 + seq) % (max - 20);
                                assertEquals(want, len, "record " + k + " length");
                                fill(eb, producer, seq, onCpu, pos, len);
                                assertEquals(ByteBuffer.wrap(expect, 0, len), ByteBuffer.wrap(out, 0, len),
                                        "record " + k + " torn");
                                consumed[0]++;
                            }
                        }
                        if (!any) {
                            if (producersDone) {
                                // a whole pass after the producers finished found nothing more
                                throw new AssertionError("consumed " + consumed[0] + " of " + total);
                            }
                            Thread.yield();
                        }
                    }
                } catch (Throwable e) {
                    consumerFailure[0] = e;
                }
            }, "ring-consumer");
            consumer.setDaemon(true);
            consumer.start();
            List<Stress.Worker> ws;
            try {
                ws = Stress.run(opv, producers, 600, (id, w) -> {
                    byte[] in = new byte[max];
                    ByteBuffer bb = ByteBuffer.wrap(in);
                    for (int seq = 0; seq < per; seq++) {
                        w.maybeMigrate();
                        long claim;
                        while ((claim = ring.tryClaim()) == PerCpuRingBuffer.FULL) {
                            fulls.incrementAndGet();
                            if (consumerFailure[0] != null || !consumer.isAlive()) {
                                throw new AssertionError("the consumer stopped");
                            }
                            Thread.yield();
                        }
                        int cpu = PerCpuRingBuffer.claimCpu(claim);
                        if (Stress.ALLOWED.size() > 1 && w.rnd.nextInt(4) == 0) {
                            int other = w.randomCpu();
                            if (other != cpu) {
                                w.pinTo(other); // moved away from the reserving CPU...
                            }
                            w.unpin();          // ...which must be in the mask again to commit there
                        }
                        int len = 20 + (id * 7 + seq) % (max - 20);
                        fill(bb, id, seq, cpu, PerCpuRingBuffer.claimPosition(claim), len);
                        ring.write(claim, in, 0, len);
                        if (w.ctx.currentCpu() != cpu) {
                            migratedCommits.incrementAndGet();
                        }
                        ring.commit(claim);
                    }
                });
            } finally {
                producing.set(false);
            }
            consumer.join(600_000);
            if (consumerFailure[0] != null) {
                throw new AssertionError("consumer: " + consumerFailure[0], consumerFailure[0]);
            }
            assertFalse(consumer.isAlive(), "consumer still running");
            assertEquals(total, consumed[0]);
            long sumPositions = 0;
            for (int i = 0; i < opv.possibleCpus().size(); i++) {
                int cpu = opv.possibleCpus().get(i);
                assertEquals(ring.claimedCount(cpu), ring.consumerPosition(cpu), "cpu " + cpu + " drained");
                sumPositions += ring.consumerPosition(cpu);
            }
            assertEquals(total, sumPositions);
            Stress.requireForcedSlowPath(opv, 2 * total, "ring buffer"); // each record claimed and committed
            if (Stress.ALLOWED.size() > 1) {
                assertTrue(migratedCommits.get() > 0, "no commit ran after a migration: the test did not test it");
            }
            Stress.report("ring buffer", opv, start, producers + " producers x " + per + " records, "
                    + migratedCommits.get() + " committed after migrating off the reserving CPU, "
                    + fulls.get() + " full answers, " + Stress.total(ws, w -> w.ctx.retries())
                    + " failed compares, " + Stress.total(ws, w -> w.moves) + " migrations");
        }
    }
}
