/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.internal;


/**
 * The per-CPU operations in Java under the {@link EmulatedEngine}'s per-CPU locks (so atomic
 * with its vectors): for where neither rseq nor the module is usable. The CPU of
 * {@code want} = -1 is the engine's {@link EmulatedEngine#currentCpu()}.
 */
final class EmulatedOps extends PerCpuOps {
    private final EmulatedEngine engine;

    EmulatedOps(EmulatedEngine engine) {
        this.engine = engine;
    }

    private int cpu(int want) {
        return want >= 0 ? want : engine.currentCpu();
    }

    @Override
    public int add(long word0, long stride, long delta, int want) {
        int cpu = cpu(want);
        long p = word0 + cpu * stride;
        synchronized (engine.lock(cpu)) {
            Mem.putLongVolatile(p, Mem.getLong(p) + delta);
        }
        return cpu;
    }

    @Override
    public int cmpeqStore(long word0, long stride, long expect, long value, int want) {
        int cpu = cpu(want);
        long p = word0 + cpu * stride;
        synchronized (engine.lock(cpu)) {
            if (Mem.getLong(p) != expect) {
                return NativeCalls.PC_FAILED;
            }
            Mem.putLongVolatile(p, value);
        }
        return cpu;
    }

    @Override
    public int listPush(long head0, long stride, long node, long nextOffset, int want) {
        int cpu = cpu(want);
        long p = head0 + cpu * stride;
        synchronized (engine.lock(cpu)) {
            Mem.putLong(node + nextOffset, Mem.getLong(p));
            Mem.putLongVolatile(p, node);
        }
        return cpu;
    }

    @Override
    public int listPop(long head0, long stride, long nextOffset, int want, long out) {
        int cpu = cpu(want);
        long p = head0 + cpu * stride;
        synchronized (engine.lock(cpu)) {
            long h = Mem.getLong(p);
            if (h == 0) {
                return NativeCalls.PC_FAILED;
            }
            Mem.putLongVolatile(p, Mem.getLong(h + nextOffset));
            Mem.putLong(out, h);
        }
        return cpu;
    }

    @Override
    public int stackPush(long slot0, long stride, long capacity, long value, int want) {
        int cpu = cpu(want);
        long s = slot0 + cpu * stride;
        synchronized (engine.lock(cpu)) {
            long n = Mem.getLong(s);
            if (Long.compareUnsigned(n, capacity) >= 0) {
                return NativeCalls.PC_FAILED;
            }
            Mem.putLong(s + 8 + 8 * n, value);
            Mem.putLongVolatile(s, n + 1);
        }
        return cpu;
    }

    @Override
    public int stackPop(long slot0, long stride, int want, long out) {
        int cpu = cpu(want);
        long s = slot0 + cpu * stride;
        synchronized (engine.lock(cpu)) {
            long n = Mem.getLong(s);
            if (n == 0) {
                return NativeCalls.PC_FAILED;
            }
            Mem.putLong(out, Mem.getLong(s + 8 * n));
            Mem.putLongVolatile(s, n - 1);
        }
        return cpu;
    }

    @Override
    public int recordPush(long slot0, long stride, long capacity, long entrySize, long src, long len, int want) {
        int cpu = cpu(want);
        long s = slot0 + cpu * stride;
        synchronized (engine.lock(cpu)) {
            long n = Mem.getLong(s);
            if (Long.compareUnsigned(n, capacity) >= 0) {
                return NativeCalls.PC_FAILED;
            }
            long e = s + 8 + n * entrySize;
            Mem.copy(src, e + 8, len);
            Mem.putLong(e, len);
            Mem.putLongVolatile(s, n + 1);
        }
        return cpu;
    }

    @Override
    public int recordPop(long slot0, long stride, long entrySize, long dst, int want, long outLen) {
        int cpu = cpu(want);
        long s = slot0 + cpu * stride;
        synchronized (engine.lock(cpu)) {
            long n = Mem.getLong(s);
            if (n == 0) {
                return NativeCalls.PC_FAILED;
            }
            long e = s + 8 + (n - 1) * entrySize;
            long len = Mem.getLong(e);
            if (len < 0 || len > entrySize - 8) {
                return NativeCalls.PC_FAILED;
            }
            Mem.copy(e + 8, dst, len);
            Mem.putLong(outLen, len);
            Mem.putLongVolatile(s, n - 1);
        }
        return cpu;
    }

    @Override
    public int reserve(long slot0, long stride, long tailOffset, long capacity, int want, long out) {
        int cpu = cpu(want);
        long s = slot0 + cpu * stride;
        synchronized (engine.lock(cpu)) {
            long h = Mem.getLong(s);
            if (Long.compareUnsigned(h - Mem.getLongVolatile(s + tailOffset), capacity) >= 0) {
                return NativeCalls.PC_FAILED;
            }
            Mem.putLongVolatile(s, h + 1);
            Mem.putLong(out, h);
        }
        return cpu;
    }
}
