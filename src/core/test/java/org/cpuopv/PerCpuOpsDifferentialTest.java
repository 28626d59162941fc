/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.cpuopv.internal.Access;
import org.cpuopv.internal.Mem;
import org.cpuopv.internal.NativeCalls;
import org.cpuopv.internal.PerCpuOps;
import org.cpuopv.internal.ThreadState;
import org.junit.jupiter.api.Test;

/**
 * The per-CPU operations the structures are made of (add, compare-store, stack push/pop,
 * record push/pop, ring reserve), random, on every backend in scope and on a Java model:
 * same answers, same memory. The rseq backend (sections in assembly; another CPU by moving
 * there) and the kernel backend (sections; cpu_opv for another CPU) against the emulated one
 * (Java under locks) and the model. Half the operations run on the thread's own CPU (pinned
 * there, want = -1: the restartable sequence), half name another CPU (the remote path).
 * Seed: -Dcpuopv.test.seed.
 */
class PerCpuOpsDifferentialTest {
    private static final int SLOT = 256;
    private static final long WORD = 0;
    private static final long STACK = 16;      // [count][4 values]
    private static final long STACK_CAP = 4;
    private static final long RECORDS = 64;    // [count][2 entries of 8 + 24]
    private static final long RECORD_CAP = 2;
    private static final long ENTRY = 32;
    private static final long RING = 144;      // [head][tail]
    private static final long RING_CAP = 3;
    private static final int OPS = Integer.getInteger("cpuopv.test.vectors", 4000) / 2;

    private record Run(CpuOpv opv, PerCpuArena arena, PerCpuOps ops) {
        long at(long offset) {
            return arena.baseAddress() + offset;
        }
    }

    @Test
    void everyBackendsPerCpuOperationsAgreeWithTheModel() {
        long seed = Long.getLong("cpuopv.test.seed", 20181101L);
        Random rnd = new Random(seed);
        List<Run> runs = new ArrayList<>();
        List<Backend> backends = new ArrayList<>(List.of(Backend.EMULATED));
        if (TestBackends.kernelInScope()) {
            backends.add(Backend.KERNEL);
        }
        if (CpuOpv.rseqUnavailabilityReason() == null) {
            backends.add(Backend.RSEQ);
        }
        CpuSet wide = PerCpuTestSupport.affinity();
        try {
            for (Backend b : backends) {
                CpuOpv opv = CpuOpv.open(b);
                runs.add(new Run(opv, opv.allocateArena(SLOT), Access.ops(opv)));
            }
            int[] cpus = wide.toArray();
            byte[][] model = new byte[runs.get(0).opv.possibleCpus().max() + 1][SLOT];
            ThreadState ts = ThreadState.current();
            long src = ts.buffer + 2048;
            long dst = ts.buffer;
            byte[] record = new byte[24];
            for (int n = 0; n < OPS; n++) {
                int cpu = cpus[rnd.nextInt(cpus.length)];
                boolean local = rnd.nextBoolean();
                int kind = rnd.nextInt(7);
                long a = rnd.nextInt(5) - 2;
                long v = rnd.nextLong();
                int len = rnd.nextInt(25);
                rnd.nextBytes(record);
                Mem.copyFromArray(record, 0, src, 24);
                if (kind == 6 && rnd.nextInt(3) == 0) { // the consumer moved on: tail = head, everywhere
                    ByteBuffer m = ByteBuffer.wrap(model[cpu]).order(ByteOrder.LITTLE_ENDIAN);
                    m.putLong((int) RING + 8, m.getLong((int) RING));
                    for (Run r : runs) {
                        r.arena.slot(cpu).putLongRelease(RING + 8, r.arena.slot(cpu).getLong(RING));
                    }
                }
                long expect = expectOf(model[cpu], a, v); // read before the model applies the op
                long[] expectOut = new long[1];
                int expected = model(model[cpu], kind, a, v, len, record, expectOut) ? cpu : NativeCalls.PC_FAILED;
                for (Run r : runs) {
                    long stride = r.arena.slotSize();
                    int want = local ? -1 : cpu;
                    if (local) {
                        PerCpuTestSupport.pin(cpu);
                    }
                    Mem.putLong(ts.out, 0);
                    int got;
                    switch (kind) {
                        case 0 -> got = r.ops.add(r.at(WORD), stride, v, want);
                        case 1 -> got = r.ops.cmpeqStore(r.at(WORD), stride, expect, v, want);
                        case 2 -> got = r.ops.stackPush(r.at(STACK), stride, STACK_CAP, v, want);
                        case 3 -> got = r.ops.stackPop(r.at(STACK), stride, want, ts.out);
                        case 4 -> got = r.ops.recordPush(r.at(RECORDS), stride, RECORD_CAP, ENTRY, src, len, want);
                        case 5 -> got = r.ops.recordPop(r.at(RECORDS), stride, ENTRY, dst, want, ts.out);
                        default -> got = r.ops.reserve(r.at(RING), stride, 8, RING_CAP, want, ts.out);
                    }
                    if (local) {
                        PerCpuTestSupport.pin(wide);
                    }
                    int vn = n;
                    assertEquals(expected, got, () -> "seed " + seed + " op #" + vn + " kind " + kind + " on cpu "
                            + cpu + (local ? " (local)" : " (remote)") + ", " + r.opv.backend());
                    if (got >= 0 && (kind == 3 || kind == 5 || kind == 6)) {
                        assertEquals(expectOut[0], Mem.getLong(ts.out), () -> "out of op #" + vn + " kind " + kind
                                + ", " + r.opv.backend());
                    }
                    if (got >= 0 && kind == 5) {
                        byte[] back = new byte[(int) expectOut[0]];
                        Mem.copyToArray(dst, back, 0, back.length);
                        byte[] want5 = new byte[back.length];
                        System.arraycopy(model[cpu], (int) (RECORDS + 8 + countAfterPop(model[cpu]) * ENTRY + 8), want5, 0,
                                want5.length);
                        assertArrayEquals(want5, back, () -> "record of op #" + vn + ", " + r.opv.backend());
                    }
                    for (int c : cpus) {
                        byte[] mem = new byte[SLOT];
                        r.arena.slot(c).getBytes(0, mem, 0, SLOT);
                        assertArrayEquals(model[c], mem, () -> "seed " + seed + " op #" + vn + " kind " + kind
                                + ": memory of cpu " + c + ", " + r.opv.backend());
                    }
                }
            }
            System.out.println("per-CPU operations differential: " + OPS + " ops on " + backends + " == model");
        } finally {
            PerCpuTestSupport.pin(wide);
            for (Run r : runs) {
                r.opv.close();
            }
        }
    }

    /** The compare-store's expected word: the current one (a != 0) or another (a == 0: fails). */
    private static long expectOf(byte[] slot, long a, long v) {
        long w = le(slot).getLong((int) WORD);
        return a == 0 ? w + 1 : w;
    }

    private static ByteBuffer le(byte[] slot) {
        return ByteBuffer.wrap(slot).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static long countAfterPop(byte[] slot) {
        return le(slot).getLong((int) RECORDS);
    }

    /** Applies one operation to one CPU's slot; @return false when its comparison failed (nothing changed). */
    private static boolean model(byte[] slot, int kind, long a, long v, int len, byte[] record, long[] out) {
        ByteBuffer m = le(slot);
        switch (kind) {
            case 0 -> m.putLong((int) WORD, m.getLong((int) WORD) + v);
            case 1 -> {
                if (a == 0) {
                    return false;
                }
                m.putLong((int) WORD, v);
            }
            case 2 -> {
                long c = m.getLong((int) STACK);
                if (c >= STACK_CAP) {
                    return false;
                }
                m.putLong((int) (STACK + 8 + 8 * c), v);
                m.putLong((int) STACK, c + 1);
            }
            case 3 -> {
                long c = m.getLong((int) STACK);
                if (c == 0) {
                    return false;
                }
                out[0] = m.getLong((int) (STACK + 8 * c));
                m.putLong((int) STACK, c - 1);
            }
            case 4 -> {
                long c = m.getLong((int) RECORDS);
                if (c >= RECORD_CAP) {
                    return false;
                }
                int e = (int) (RECORDS + 8 + c * ENTRY);
                m.putLong(e, len);
                System.arraycopy(record, 0, slot, e + 8, len);
                m.putLong((int) RECORDS, c + 1);
            }
            case 5 -> {
                long c = m.getLong((int) RECORDS);
                if (c == 0) {
                    return false;
                }
                out[0] = m.getLong((int) (RECORDS + 8 + (c - 1) * ENTRY));
                m.putLong((int) RECORDS, c - 1);
            }
            default -> {
                long h = m.getLong((int) RING);
                if (h - m.getLong((int) RING + 8) >= RING_CAP) {
                    return false;
                }
                out[0] = h;
                m.putLong((int) RING, h + 1);
            }
        }
        return true;
    }
}
