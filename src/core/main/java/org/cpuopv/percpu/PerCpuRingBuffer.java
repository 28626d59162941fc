/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.percpu;

import org.cpuopv.CpuOpv;
import org.cpuopv.Outcome;
import org.cpuopv.Slot;

/**
 * A FIFO ring buffer of records per CPU, many producers and one consumer: use case 7 of
 * cpu_opv. A producer reserves an entry on the CPU it runs on, writes the record with plain Java
 * stores wherever it runs by then, and commits <em>on the CPU it reserved on</em>, even if it
 * was migrated in between: the commit is a vector run on that CPU, which is exactly what
 * cpu_opv adds to rseq.
 *
 * <ul>
 * <li>{@link #reserve}: read {@code head}, then a vector on c: "compare head == h, store
 *     head = h + 1"; the entry at position h is the caller's;</li>
 * <li>{@link #write} / {@link #reservedSlot}: fill the entry (plain stores; nobody else touches
 *     it);</li>
 * <li>{@link #commit}: a vector on the reserving CPU c: ADD_RELEASE of 1 on the entry's commit
 *     counter. The counter is per entry, not per buffer, so that producers may commit out of
 *     order: the entry at position p is committed when its counter equals {@code p / capacity + 1}
 *     (one commit per lap of the ring);</li>
 * <li>{@link #poll} (the consumer): at position {@code tail}, an acquire read of the entry's
 *     commit counter; if committed, copy the record out and store-release {@code tail + 1}.</li>
 * </ul>
 *
 * <p><b>Guarantees.</b> The consumer gets every committed record exactly once, intact, and per CPU
 * in reservation order; it never sees a reserved but uncommitted record, and stops at the first
 * one (a reservation never committed blocks that CPU's buffer: always commit). {@link #reserve}
 * answers false when that CPU's buffer is full (capacity uncommitted or unconsumed entries).
 * One consumer at a time per buffer (it alone writes {@code tail}, with a plain release store,
 * which is why that store needs no vector); producers may be any number of threads.
 *
 * <p><b>Memory ordering.</b> Commit is a release (the record's bytes are visible before the
 * counter), the consumer's read of it an acquire; the consumer's tail store is a release, so a
 * producer that reserves an entry after reading the new tail cannot overwrite a record being read.
 *
 * <p><b>Costs.</b> Reserve: one {@code sched_getcpu} and one execute per attempt (a retry only when
 * another producer reserved on that CPU in between). Commit: one execute, an IPI when the
 * producer was migrated. Poll: no syscall. Memory per possible CPU:
 * {@code 128 + capacity * (16 + maxRecord rounded up to 8)} bytes.
 *
 * <p><b>Migration and CPUs.</b> The reserving CPU must still be in the producer's affinity mask at
 * commit (it is unless the producer narrows its own mask in between).
 */
public final class PerCpuRingBuffer extends PerCpuStructure {
    private static final long HEAD = 0;
    private static final long TAIL = 64;
    private static final long ENTRIES = 128;
    private static final long COMMIT = 0;
    private static final long LENGTH = 8;
    private static final long DATA = 16;

    private final int capacity;
    private final int maxRecord;
    private final long entrySize;

    /**
     * @param opv       the handle that owns the memory
     * @param capacity  entries per CPU, at least 1
     * @param maxRecord the largest record in bytes, at least 1
     */
    public PerCpuRingBuffer(CpuOpv opv, int capacity, int maxRecord) {
        super(opv, slotBytes(capacity, maxRecord));
        this.capacity = capacity;
        this.maxRecord = maxRecord;
        this.entrySize = DATA + ((maxRecord + 7L) & ~7L);
    }

    private static int slotBytes(int capacity, int maxRecord) {
        long bytes = ENTRIES + capacity * (DATA + ((maxRecord + 7L) & ~7L));
        if (capacity < 1 || maxRecord < 1 || bytes > (1 << 24)) {
            throw new IllegalArgumentException("capacity " + capacity + " of " + maxRecord
                    + "-byte records is not in 1..(16 MiB per CPU)");
        }
        return (int) bytes;
    }

    /** @return entries per CPU */
    public int capacity() {
        return capacity;
    }

    /** @return the largest record in bytes */
    public int maxRecord() {
        return maxRecord;
    }

    private long entry(long position) {
        return ENTRIES + (position % capacity) * entrySize;
    }

    /**
     * Reserves the next entry of the current CPU's buffer for the caller; the reservation is kept
     * in the context (one at a time per context).
     *
     * @return true when reserved; false when that CPU's buffer is full
     * @throws IllegalStateException when the context holds an uncommitted reservation
     */
    public boolean reserve(PerCpuContext ctx) {
        check(ctx);
        if (ctx.reservedCpu >= 0) {
            throw new IllegalStateException("the context already holds a reservation on cpu "
                    + ctx.reservedCpu + "; commit it first");
        }
        for (;;) {
            int cpu = ctx.currentCpu();
            Slot s = slot(cpu);
            long h = s.getLongAcquire(HEAD);
            long t = s.getLongAcquire(TAIL);
            if (h - t >= capacity) {
                return false;
            }
            ctx.vector.on(cpu).compareEqLong(s, HEAD, h).storeLong(s, HEAD, h + 1);
            if (ctx.run() == Outcome.DONE) {
                ctx.reservedCpu = cpu;
                ctx.reservedPosition = h;
                return true;
            }
        }
    }

    /** @return the CPU of the context's reservation, or -1 */
    public int reservedCpu(PerCpuContext ctx) {
        return ctx.reservedCpu;
    }

    /** @return the position (0, 1, 2... per CPU) of the context's reservation */
    public long reservedPosition(PerCpuContext ctx) {
        requireReservation(ctx);
        return ctx.reservedPosition;
    }

    /** @return the slot holding the reserved entry: write {@link #reservedDataOffset} .. + length */
    public Slot reservedSlot(PerCpuContext ctx) {
        requireReservation(ctx);
        return slot(ctx.reservedCpu);
    }

    /** @return where the reserved entry's data starts in {@link #reservedSlot} */
    public long reservedDataOffset(PerCpuContext ctx) {
        requireReservation(ctx);
        return entry(ctx.reservedPosition) + DATA;
    }

    /** Sets the reserved record's length (when its data was written through {@link #reservedSlot}). */
    public void setReservedLength(PerCpuContext ctx, int len) {
        requireReservation(ctx);
        if (len < 0 || len > maxRecord) {
            throw new IllegalArgumentException("record length " + len + " is not in 0.." + maxRecord);
        }
        slot(ctx.reservedCpu).putInt(entry(ctx.reservedPosition) + LENGTH, len);
    }

    /** Writes {@code src[from..from+len)} as the reserved record (plain stores, from any CPU). */
    public void write(PerCpuContext ctx, byte[] src, int from, int len) {
        setReservedLength(ctx, len);
        slot(ctx.reservedCpu).putBytes(entry(ctx.reservedPosition) + DATA, src, from, len);
    }

    /**
     * Commits the reserved entry: ADD_RELEASE on its commit counter, run on the CPU it was
     * reserved on (wherever the caller runs now).
     *
     * @return the CPU it was committed on
     */
    public int commit(PerCpuContext ctx) {
        check(ctx);
        requireReservation(ctx);
        int cpu = ctx.reservedCpu;
        ctx.vector.on(cpu).addLongRelease(slot(cpu), entry(ctx.reservedPosition) + COMMIT, 1);
        Outcome o = ctx.run();
        if (o != Outcome.DONE) {
            throw new IllegalStateException("an add without compare answered " + o);
        }
        ctx.reservedCpu = -1;
        return cpu;
    }

    private void requireReservation(PerCpuContext ctx) {
        if (ctx.reservedCpu < 0) {
            throw new IllegalStateException("the context holds no reservation");
        }
    }

    /**
     * The consumer: takes the next record of {@code cpu}'s buffer, if it is committed.
     *
     * @return its length (its bytes in {@code dst[from..]}), or -1 when the next record is not
     *         committed yet (or there is none)
     */
    public int poll(int cpu, byte[] dst, int from) {
        Slot s = slot(cpu);
        long t = s.getLong(TAIL);
        long e = entry(t);
        if (s.getLongAcquire(e + COMMIT) != t / capacity + 1) {
            return -1;
        }
        int len = s.getInt(e + LENGTH);
        s.getBytes(e + DATA, dst, from, len);
        s.putLongRelease(TAIL, t + 1);
        return len;
    }

    /** @return the position the consumer of {@code cpu}'s buffer reads next */
    public long consumerPosition(int cpu) {
        return slot(cpu).getLongAcquire(TAIL);
    }

    /** @return how many entries of {@code cpu}'s buffer were reserved so far */
    public long reservedCount(int cpu) {
        return slot(cpu).getLongAcquire(HEAD);
    }
}
