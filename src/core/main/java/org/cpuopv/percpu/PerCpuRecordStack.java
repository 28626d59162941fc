/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.percpu;

import org.cpuopv.CpuOpv;
import org.cpuopv.Outcome;
import org.cpuopv.Region;
import org.cpuopv.Slot;

/**
 * A bounded stack per CPU of records copied in and out, up to {@value #MAX_RECORD} bytes each:
 * use case 6 of cpu_opv. Records live in per-CPU entries of fixed size; nothing is allocated per
 * record.
 *
 * <ul>
 * <li>push on CPU c: read {@code n}, then one vector on c: "compare count == n, copy the record
 *     into entry n, store its length, store count = n + 1" (the record's bytes travel in the
 *     vector: at most 4096 + 3 * 8 = 4120 bytes, the cpu_opv limit);</li>
 * <li>pop on CPU c: read {@code n} and the length {@code len} of entry n-1, then one vector on c:
 *     "compare count == n, compare length == len, copy entry n-1 into the thread's buffer,
 *     store count = n - 1"; the copy is made inside the vector, so a record is never torn by a
 *     concurrent pop and push; the caller then gets it from the buffer.</li>
 * </ul>
 *
 * <p><b>Guarantees.</b> Each pushed record is popped at most once, intact, and none is lost;
 * LIFO per CPU; full and empty are answered per CPU and change nothing.
 *
 * <p><b>Memory ordering.</b> Only the atomicity of each vector on its CPU; no Java peeking.
 *
 * <p><b>Costs.</b> One execute per attempt, plus two copies of the record in user space (into the
 * vector's scratch on push, out of the context's buffer on pop). Memory per possible CPU:
 * {@code 8 + capacity * (8 + maxRecord rounded up to 8)} bytes; the context's 4 KiB buffer once.
 *
 * <p><b>Migration and CPUs.</b> As {@link PerCpuStack}.
 */
public final class PerCpuRecordStack extends PerCpuStructure {
    /** The largest record: what one memcpy op may copy. */
    public static final int MAX_RECORD = 4096;
    private static final long COUNT = 0;
    private static final long ENTRIES = 8;

    private final int capacity;
    private final int maxRecord;
    private final long entrySize;

    /**
     * @param opv       the handle that owns the memory
     * @param capacity  records per CPU, at least 1
     * @param maxRecord the largest record, 1..4096 bytes
     */
    public PerCpuRecordStack(CpuOpv opv, int capacity, int maxRecord) {
        super(opv, slotBytes(capacity, maxRecord));
        this.capacity = capacity;
        this.maxRecord = maxRecord;
        this.entrySize = entrySize(maxRecord);
    }

    private static long entrySize(int maxRecord) {
        return 8 + ((maxRecord + 7L) & ~7L);
    }

    private static int slotBytes(int capacity, int maxRecord) {
        if (maxRecord < 1 || maxRecord > MAX_RECORD) {
            throw new IllegalArgumentException("maxRecord " + maxRecord + " is not in 1.." + MAX_RECORD);
        }
        long bytes = ENTRIES + capacity * entrySize(maxRecord);
        if (capacity < 1 || bytes > (1 << 24)) {
            throw new IllegalArgumentException("capacity " + capacity + " of " + maxRecord
                    + "-byte records is not in 1..(16 MiB per CPU)");
        }
        return (int) bytes;
    }

    /** @return records per CPU */
    public int capacity() {
        return capacity;
    }

    /** @return the largest record in bytes */
    public int maxRecord() {
        return maxRecord;
    }

    private long entry(long i) {
        return ENTRIES + i * entrySize;
    }

    private void checkLength(int len) {
        if (len < 0 || len > maxRecord) {
            throw new IllegalArgumentException("record length " + len + " is not in 0.." + maxRecord);
        }
    }

    /**
     * Pushes {@code src[from..from+len)} on the CPU the caller runs on.
     *
     * @return true when pushed; false when that CPU's stack was full
     */
    public boolean push(PerCpuContext ctx, byte[] src, int from, int len) {
        check(ctx);
        checkLength(len);
        java.util.Objects.checkFromIndexSize(from, len, src.length);
        for (;;) {
            int cpu = ctx.currentCpu();
            Slot s = slot(cpu);
            long n = s.getLong(COUNT);
            if (n >= capacity) {
                return false;
            }
            ctx.vector.on(cpu)
                    .compareEqLong(s, COUNT, n)
                    .storeBytes(s, entry(n) + 8, src, from, len)
                    .storeLong(s, entry(n), len)
                    .storeLong(s, COUNT, n + 1);
            if (ctx.run() == Outcome.DONE) {
                return true;
            }
        }
    }

    /**
     * Pushes {@code len} bytes of native memory ({@code src} at {@code offset}, of the same
     * handle) on the CPU the caller runs on: copied once, by the vector.
     *
     * @return true when pushed; false when that CPU's stack was full
     */
    public boolean push(PerCpuContext ctx, Region src, long offset, int len) {
        check(ctx);
        checkLength(len);
        for (;;) {
            int cpu = ctx.currentCpu();
            Slot s = slot(cpu);
            long n = s.getLong(COUNT);
            if (n >= capacity) {
                return false;
            }
            ctx.vector.on(cpu)
                    .compareEqLong(s, COUNT, n)
                    .memcpy(s, entry(n) + 8, src, offset, len)
                    .storeLong(s, entry(n), len)
                    .storeLong(s, COUNT, n + 1);
            if (ctx.run() == Outcome.DONE) {
                return true;
            }
        }
    }

    /**
     * Pops the top record of the current CPU's stack into {@code dst[from..]}.
     *
     * @return its length, or -1 when that CPU's stack was empty
     * @throws IndexOutOfBoundsException when {@code dst} has less than {@link #maxRecord()} bytes from {@code from}
     */
    public int pop(PerCpuContext ctx, byte[] dst, int from) {
        java.util.Objects.checkFromIndexSize(from, maxRecord, dst.length);
        int len = popToBuffer(ctx);
        if (len > 0) {
            ctx.recordBuffer().getBytes(0, dst, from, len);
        }
        return len;
    }

    /**
     * Pops the top record of the current CPU's stack into the context's buffer
     * ({@link #buffer(PerCpuContext)}, offset 0), with no further copy.
     *
     * @return its length, or -1 when that CPU's stack was empty
     */
    public int popToBuffer(PerCpuContext ctx) {
        check(ctx);
        Region buf = ctx.recordBuffer();
        for (;;) {
            int cpu = ctx.currentCpu();
            Slot s = slot(cpu);
            long n = s.getLong(COUNT);
            if (n <= 0) {
                return -1;
            }
            long e = entry(n - 1);
            long len = s.getLong(e);
            if (len < 0 || len > maxRecord) {
                continue; // a stale read; the vector would not run anyway
            }
            ctx.vector.on(cpu)
                    .compareEqLong(s, COUNT, n)
                    .compareEqLong(s, e, len)
                    .memcpy(buf, 0, s, e + 8, (int) len)
                    .storeLong(s, COUNT, n - 1);
            if (ctx.run() == Outcome.DONE) {
                return (int) len;
            }
        }
    }

    /** @return the context's record buffer (native, 4 KiB), where {@link #popToBuffer} leaves a record */
    public Region buffer(PerCpuContext ctx) {
        check(ctx);
        return ctx.recordBuffer();
    }

    /** @return {@code cpu}'s count now (a plain read: a hint) */
    public long size(int cpu) {
        return slot(cpu).getLong(COUNT);
    }
}
