/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.percpu;

import java.util.Objects;

import org.cpuopv.CpuOpv;
import org.cpuopv.Region;
import org.cpuopv.internal.Mem;
import org.cpuopv.internal.PerCpuOps;
import org.cpuopv.internal.ThreadState;

/**
 * A bounded stack per CPU of records copied in and out, up to {@value #MAX_RECORD} bytes each:
 * use case 6 of cpu_opv. Records live in per-CPU entries of fixed size; nothing is allocated per
 * record.
 *
 * <ul>
 * <li>{@link #push} on the caller's CPU: one restartable sequence "n = count; full if n &gt;=
 *     capacity; copy the record into entry n and store its length (memory nobody reads above
 *     the count); commit count = n + 1" (memcpy, then commit store);</li>
 * <li>{@link #pop} on the caller's CPU: one sequence "n = count; empty if 0; copy entry n-1 into
 *     the caller's private buffer; commit count = n - 1": the copy is made inside the sequence,
 *     so a record is never torn by a concurrent pop and push;</li>
 * <li>{@link #pushOn}/{@link #popFrom} another CPU: the same as one cpu_opv vector there
 *     (kernel backend; compare count and length, copy, store count), or a move there and back
 *     (rseq backend).</li>
 * </ul>
 *
 * <p><b>Guarantees.</b> Each pushed record is popped at most once, intact, and none is lost;
 * LIFO per CPU; full and empty are answered per CPU and change nothing.
 *
 * <p><b>Memory ordering.</b> Only the atomicity of each operation on its CPU; no Java peeking.
 *
 * <p><b>Costs.</b> One native call per operation, no system call on the caller's CPU; a
 * {@code byte[]} record is copied once more, through the calling thread's native buffer (a
 * {@link Region} record is copied directly). Nothing allocated, no context. Memory per possible
 * CPU: {@code 8 + capacity * (8 + maxRecord rounded up to 8)} bytes.
 *
 * <p><b>Migration and CPUs.</b> As {@link PerCpuStack}.
 */
public final class PerCpuRecordStack extends PerCpuStructure {
    /** The largest record: what one memcpy op may copy. */
    public static final int MAX_RECORD = 4096;
    /** What {@link #pop} answers when the stack is empty (a length is never negative). */
    public static final int EMPTY = -1;
    private static final long COUNT = 0;

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
        long bytes = 8 + capacity * entrySize(maxRecord);
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

    private void checkLength(int len) {
        if (len < 0 || len > maxRecord) {
            throw new IllegalArgumentException("record length " + len + " is not in 0.." + maxRecord);
        }
    }

    private static long address(Region r, long offset, int len) {
        if (offset < 0 || offset > r.byteSize() - (long) len) {
            throw new IndexOutOfBoundsException("offset " + offset + " + length " + len + " is outside the "
                    + r.byteSize() + " bytes of the region");
        }
        if (!r.isOpen()) {
            throw new IllegalStateException("the region is closed");
        }
        return r.address() + offset;
    }

    private long stage(byte[] src, int from, int len) {
        checkLength(len);
        Objects.checkFromIndexSize(from, len, src.length);
        long buf = ThreadState.current().buffer;
        Mem.copyFromArray(src, from, buf, len);
        return buf;
    }

    private boolean push(long src, int len, int want, String what) {
        return PerCpuOps.check(ops.recordPush(base, stride, capacity, entrySize, src, len, want), what) >= 0;
    }

    /**
     * Pushes {@code src[from..from+len)} on the CPU the caller runs on.
     *
     * @param src  the record's bytes
     * @param from index in {@code src} of the record's first byte
     * @param len  the record's length, 0..{@link #maxRecord()}
     * @return true when pushed; false when that CPU's stack was full (nothing changed)
     * @throws IllegalArgumentException when {@code len} is not 0..{@link #maxRecord()}
     * @throws IndexOutOfBoundsException when {@code [from, from + len)} is not inside {@code src}
     * @throws IllegalStateException when the structure is closed, or the native call reports an error (the
     *         message names it)
     */
    public boolean push(byte[] src, int from, int len) {
        long buf = stage(src, from, len);
        checkOpen();
        return push(buf, len, -1, "push");
    }

    /**
     * Pushes {@code len} bytes of native memory ({@code src} at {@code offset}) on the CPU the
     * caller runs on: copied once, by the sequence. {@code src} must not change meanwhile.
     *
     * @param src    the region holding the record
     * @param offset byte offset of the record in {@code src}: {@code [offset, offset + len)} must lie inside it
     * @param len    the record's length, 0..{@link #maxRecord()}
     * @return true when pushed; false when that CPU's stack was full
     * @throws IllegalArgumentException when {@code len} is not 0..{@link #maxRecord()}
     * @throws IndexOutOfBoundsException when {@code [offset, offset + len)} is not inside {@code src}
     * @throws IllegalStateException when {@code src} or the structure is closed, or the native call reports an
     *         error (the message names it)
     */
    public boolean push(Region src, long offset, int len) {
        checkLength(len);
        long a = address(src, offset, len);
        checkOpen();
        return push(a, len, -1, "push");
    }

    /**
     * Pushes {@code src[from..from+len)} on {@code cpu}'s stack.
     *
     * @param cpu  the CPU whose stack to push on: a possible CPU in the caller's affinity mask
     * @param src  the record's bytes
     * @param from index in {@code src} of the record's first byte
     * @param len  the record's length, 0..{@link #maxRecord()}
     * @return true when pushed; false when it was full (nothing changed)
     * @throws IllegalArgumentException when {@code len} is not 0..{@link #maxRecord()}, or {@code cpu} is not a
     *         possible CPU or (kernel and rseq backends) not one the calling thread may run on (its affinity
     *         mask or cpuset) or offline
     * @throws IndexOutOfBoundsException when {@code [from, from + len)} is not inside {@code src}
     * @throws IllegalStateException when the structure is closed, or the native call reports an error (the
     *         message names it)
     */
    public boolean pushOn(int cpu, byte[] src, int from, int len) {
        long buf = stage(src, from, len);
        return push(buf, len, target(cpu), "pushOn");
    }

    private int pop(long dst, int want, String what) {
        long outLen = ThreadState.current().out;
        return PerCpuOps.check(ops.recordPop(base, stride, entrySize, dst, want, outLen), what) >= 0
                ? (int) Mem.getLong(outLen) : EMPTY;
    }

    private int popToArray(int want, byte[] dst, int from, String what) {
        Objects.checkFromIndexSize(from, maxRecord, dst.length);
        long buf = ThreadState.current().buffer;
        int len = pop(buf, want, what);
        if (len > 0) {
            Mem.copyToArray(buf, dst, from, len);
        }
        return len;
    }

    /**
     * Pops the top record of the current CPU's stack into {@code dst[from..]}.
     *
     * @param dst  where the record goes
     * @param from index in {@code dst} of its first byte; {@code dst} must have {@link #maxRecord()} bytes of room
     *             from there, whatever the record's length
     * @return its length, or {@link #EMPTY} when that CPU's stack was empty
     * @throws IndexOutOfBoundsException when {@code dst} has less than {@link #maxRecord()} bytes from {@code from}
     * @throws IllegalStateException when the structure is closed, or the native call reports an error (the
     *         message names it)
     */
    public int pop(byte[] dst, int from) {
        checkOpen();
        return popToArray(-1, dst, from, "pop");
    }

    /**
     * Pops the top record of the current CPU's stack straight into native memory ({@code dst}
     * at {@code offset}, {@link #maxRecord()} bytes of room, private to the caller while it pops).
     *
     * @param dst    the region the record goes into
     * @param offset byte offset in {@code dst}: {@code [offset, offset + maxRecord())} must lie inside it
     * @return its length, or {@link #EMPTY}
     * @throws IndexOutOfBoundsException when {@code [offset, offset + maxRecord())} is not inside {@code dst}
     * @throws IllegalStateException when {@code dst} or the structure is closed, or the native call reports an
     *         error (the message names it)
     */
    public int pop(Region dst, long offset) {
        long a = address(dst, offset, maxRecord);
        checkOpen();
        return pop(a, -1, "pop");
    }

    /**
     * Pops the top record of {@code cpu}'s stack into {@code dst[from..]}.
     *
     * @param cpu  the CPU whose stack to pop from: a possible CPU in the caller's affinity mask
     * @param dst  where the record goes
     * @param from index in {@code dst} of its first byte; {@code dst} must have {@link #maxRecord()} bytes of room
     *             from there, whatever the record's length
     * @return its length, or {@link #EMPTY}
     * @throws IllegalArgumentException when {@code cpu} is not a possible CPU, or (kernel and rseq backends)
     *         not one the calling thread may run on (its affinity mask or cpuset) or offline
     * @throws IndexOutOfBoundsException when {@code dst} has less than {@link #maxRecord()} bytes from {@code from}
     * @throws IllegalStateException when the structure is closed, or the native call reports an error (the
     *         message names it)
     */
    public int popFrom(int cpu, byte[] dst, int from) {
        return popToArray(target(cpu), dst, from, "popFrom");
    }

    /**
     * @param cpu the CPU whose count to read: a possible CPU
     * @return {@code cpu}'s count now (a plain read: a hint)
     * @throws IllegalArgumentException when {@code cpu} is not a possible CPU
     * @throws IllegalStateException when the structure is closed
     */
    public long size(int cpu) {
        return slot(cpu).getLong(COUNT);
    }
}
