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

import org.junit.jupiter.api.Test;
import org.cpuopv.internal.NativeLibrary;

/**
 * Random valid vectors run on every backend in scope and on a plain Java model of the spec:
 * same outcomes, same memory. On the host that checks the emulated backend against the model;
 * in the VM the kernel joins (kernel == emulated == model). Seed: -Dcpuopv.test.seed.
 */
class DifferentialTest {
    private static final int SLOT = 256;
    private static final int VECTORS = Integer.getInteger("cpuopv.test.vectors", 4000);

    /** One op of a vector, independent of the memory it will be applied to. */
    private record Op(OpType type, int width, int cpuA, int offA, int cpuB, int offB, int len, long value,
                      boolean immediate) {
    }

    private static final class Run {
        final CpuOpv opv;
        final PerCpuArena arena;
        final OpVector vector;

        Run(Backend b) {
            opv = CpuOpv.open(b);
            arena = opv.allocateArena(SLOT);
            vector = opv.newVector();
        }
    }

    @Test
    void everyBackendAgreesWithTheModel() {
        long seed = Long.getLong("cpuopv.test.seed", 20181101L);
        Random rnd = new Random(seed);
        List<Run> runs = new ArrayList<>();
        runs.add(new Run(Backend.EMULATED)); // always, whatever -Dcpuopv.test.backends narrows
        if (TestBackends.kernelInScope()) {
            runs.add(new Run(Backend.KERNEL));
        }
        if (CpuOpv.rseqUnavailabilityReason() == null) {
            runs.add(new Run(Backend.RSEQ)); // its vectors run in process, under its own locks
        }
        try {
            CpuOpv first = runs.get(0).opv;
            int[] cpus = allowedOnline(first);
            int maxCpu = first.possibleCpus().max();
            byte[][] model = new byte[maxCpu + 1][SLOT];
            for (int cpu : cpus) {
                rnd.nextBytes(model[cpu]);
                for (Run r : runs) {
                    r.arena.slot(cpu).putBytes(0, model[cpu], 0, SLOT);
                }
            }
            for (int n = 0; n < VECTORS; n++) {
                int target = cpus[rnd.nextInt(cpus.length)];
                List<Op> ops = randomVector(rnd, cpus, model);
                int expected = applyToModel(model, ops);
                for (Run r : runs) {
                    build(r, target, ops);
                    Outcome o = r.opv.execute(r.vector);
                    assertEquals(expected, o.raw(), () -> "seed " + seed + " vector " + r.vector.describe()
                            + " on " + r.opv.backend());
                }
                for (int cpu : cpus) {
                    for (Run r : runs) {
                        byte[] got = new byte[SLOT];
                        r.arena.slot(cpu).getBytes(0, got, 0, SLOT);
                        int vn = n;
                        assertArrayEquals(model[cpu], got, () -> "seed " + seed + " vector #" + vn + " "
                                + ops + ": memory of cpu " + cpu + " on " + r.opv.backend());
                    }
                }
            }
        } finally {
            runs.forEach(r -> r.opv.close());
        }
    }

    private static int[] allowedOnline(CpuOpv opv) {
        CpuSet online = opv.onlineCpus();
        CpuSet allowed = NativeLibrary.isLoaded() ? TestBackends.affinity() : opv.possibleCpus();
        return java.util.Arrays.stream(allowed.toArray()).filter(online::contains).toArray();
    }

    private static List<Op> randomVector(Random rnd, int[] cpus, byte[][] model) {
        int n = rnd.nextInt(5);
        List<Op> ops = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int cpuA = cpus[rnd.nextInt(cpus.length)];
            int cpuB = cpus[rnd.nextInt(cpus.length)];
            int kind = rnd.nextInt(6);
            switch (kind) {
                case 0: { // compare with an immediate, usually equal to memory now
                    int width = rnd.nextBoolean() ? 8 : 4;
                    int off = width * rnd.nextInt(SLOT / width);
                    long v = read(model[cpuA], off, width);
                    if (rnd.nextInt(4) == 0) {
                        v ^= 1L << rnd.nextInt(width * 8);
                    }
                    OpType t = rnd.nextInt(4) == 0 ? OpType.COMPARE_NE : OpType.COMPARE_EQ;
                    ops.add(new Op(t, width, cpuA, off, 0, 0, width, v, true));
                    break;
                }
                case 1: { // memory-memory compare, any length and alignment
                    int len = rnd.nextInt(3) == 0 ? rnd.nextInt(9) : rnd.nextInt(40);
                    OpType t = rnd.nextBoolean() ? OpType.COMPARE_EQ : OpType.COMPARE_NE;
                    ops.add(new Op(t, 0, cpuA, rnd.nextInt(SLOT - len + 1), cpuB, rnd.nextInt(SLOT - len + 1),
                            len, 0, false));
                    break;
                }
                case 2: { // memcpy: src in the low half, dst in the high half (never overlapping)
                    int len = rnd.nextInt(3) == 0 ? 8 : rnd.nextInt(65);
                    int src = rnd.nextInt(128 - len + 1);
                    int dst = 128 + (len == 8 && rnd.nextBoolean() ? 8 * rnd.nextInt(15) : rnd.nextInt(128 - len + 1));
                    OpType t = rnd.nextBoolean() ? OpType.MEMCPY : OpType.MEMCPY_RELEASE;
                    ops.add(new Op(t, 0, cpuA, dst, cpuB, src, len, 0, false));
                    break;
                }
                case 3: { // store an immediate
                    int width = rnd.nextBoolean() ? 8 : 4;
                    OpType t = rnd.nextBoolean() ? OpType.MEMCPY : OpType.MEMCPY_RELEASE;
                    ops.add(new Op(t, width, cpuA, width * rnd.nextInt(SLOT / width), 0, 0, width, rnd.nextLong(),
                            true));
                    break;
                }
                default: { // add of every width
                    int width = 1 << rnd.nextInt(4);
                    OpType t = width >= 4 && rnd.nextBoolean() ? OpType.ADD_RELEASE : OpType.ADD;
                    long count = rnd.nextInt(3) == 0 ? rnd.nextLong() : rnd.nextInt(200) - 100;
                    ops.add(new Op(t, width, cpuA, width * rnd.nextInt(SLOT / width), 0, 0, width, count, false));
                    break;
                }
            }
        }
        return ops;
    }

    private static void build(Run r, int target, List<Op> ops) {
        OpVector v = r.vector.on(target);
        PerCpuArena a = r.arena;
        for (Op op : ops) {
            Slot sa = a.slot(op.cpuA());
            Slot sb = a.slot(op.cpuB());
            switch (op.type()) {
                case COMPARE_EQ:
                case COMPARE_NE: {
                    boolean eq = op.type() == OpType.COMPARE_EQ;
                    if (!op.immediate()) {
                        if (eq) {
                            v.compareEq(sa, op.offA(), sb, op.offB(), op.len());
                        } else {
                            v.compareNe(sa, op.offA(), sb, op.offB(), op.len());
                        }
                    } else if (op.width() == 8) {
                        if (eq) {
                            v.compareEqLong(sa, op.offA(), op.value());
                        } else {
                            v.compareNeLong(sa, op.offA(), op.value());
                        }
                    } else if (eq) {
                        v.compareEqInt(sa, op.offA(), (int) op.value());
                    } else {
                        v.compareNeInt(sa, op.offA(), (int) op.value());
                    }
                    break;
                }
                case MEMCPY:
                case MEMCPY_RELEASE: {
                    boolean rel = op.type() == OpType.MEMCPY_RELEASE;
                    if (!op.immediate()) {
                        if (rel) {
                            v.memcpyRelease(sa, op.offA(), sb, op.offB(), op.len());
                        } else {
                            v.memcpy(sa, op.offA(), sb, op.offB(), op.len());
                        }
                    } else if (op.width() == 8) {
                        if (rel) {
                            v.storeLongRelease(sa, op.offA(), op.value());
                        } else {
                            v.storeLong(sa, op.offA(), op.value());
                        }
                    } else if (rel) {
                        v.storeIntRelease(sa, op.offA(), (int) op.value());
                    } else {
                        v.storeInt(sa, op.offA(), (int) op.value());
                    }
                    break;
                }
                default: {
                    boolean rel = op.type() == OpType.ADD_RELEASE;
                    switch (op.width()) {
                        case 8:
                            if (rel) {
                                v.addLongRelease(sa, op.offA(), op.value());
                            } else {
                                v.addLong(sa, op.offA(), op.value());
                            }
                            break;
                        case 4:
                            if (rel) {
                                v.addIntRelease(sa, op.offA(), (int) op.value());
                            } else {
                                v.addInt(sa, op.offA(), (int) op.value());
                            }
                            break;
                        case 2:
                            v.addShort(sa, op.offA(), (short) op.value());
                            break;
                        default:
                            v.addByte(sa, op.offA(), (byte) op.value());
                            break;
                    }
                }
            }
        }
    }

    /** The spec, on byte arrays: returns 0 or the failed compare's index + 1. */
    private static int applyToModel(byte[][] m, List<Op> ops) {
        for (int i = 0; i < ops.size(); i++) {
            Op op = ops.get(i);
            byte[] a = m[op.cpuA()];
            switch (op.type()) {
                case COMPARE_EQ:
                case COMPARE_NE: {
                    boolean equal;
                    if (op.immediate()) {
                        equal = read(a, op.offA(), op.width()) == truncate(op.value(), op.width());
                    } else {
                        equal = java.util.Arrays.equals(a, op.offA(), op.offA() + op.len(),
                                m[op.cpuB()], op.offB(), op.offB() + op.len());
                    }
                    if (equal != (op.type() == OpType.COMPARE_EQ)) {
                        return i + 1;
                    }
                    break;
                }
                case MEMCPY:
                case MEMCPY_RELEASE:
                    if (op.immediate()) {
                        write(a, op.offA(), op.width(), op.value());
                    } else {
                        System.arraycopy(m[op.cpuB()], op.offB(), a, op.offA(), op.len());
                    }
                    break;
                default:
                    write(a, op.offA(), op.width(), read(a, op.offA(), op.width()) + op.value());
                    break;
            }
        }
        return 0;
    }

    private static long truncate(long v, int width) {
        return width == 8 ? v : v & ((1L << (width * 8)) - 1);
    }

    private static long read(byte[] b, int off, int width) {
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.nativeOrder());
        switch (width) {
            case 8: return bb.getLong(off);
            case 4: return bb.getInt(off) & 0xffffffffL;
            case 2: return bb.getShort(off) & 0xffffL;
            default: return b[off] & 0xffL;
        }
    }

    private static void write(byte[] b, int off, int width, long v) {
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.nativeOrder());
        switch (width) {
            case 8: bb.putLong(off, v); break;
            case 4: bb.putInt(off, (int) v); break;
            case 2: bb.putShort(off, (short) v); break;
            default: b[off] = (byte) v; break;
        }
    }
}
