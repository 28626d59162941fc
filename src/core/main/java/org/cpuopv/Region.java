/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv;

import java.lang.invoke.VarHandle;
import org.cpuopv.internal.Mem;

/**
 * A bounded range of native memory owned by a {@link CpuOpv} handle, read and written from
 * Java with byte offsets (Agrona style) and used as operands of an {@link OpVector}.
 *
 * <p>Every access checks {@code 0 <= offset && offset + size <= byteSize()} and that the
 * owner is not closed, and throws {@link IndexOutOfBoundsException} /
 * {@link IllegalStateException} naming the offset. Atomic accesses (acquire, release,
 * volatile, CAS, getAndAdd) also require natural alignment of the address, and throw
 * {@link IllegalArgumentException} otherwise. Plain accesses have no ordering guarantees.
 * An access racing the close of the owner does not crash the JVM (see {@link PerCpuArena}
 * for exactly what holds), but it is a bug of the caller: its result is meaningless.
 */
public abstract class Region {
    final long address;
    final int size;

    Region(long address, int size) {
        this.address = address;
        this.size = size;
    }

    /** @return true while the memory is owned and not freed */
    public abstract boolean isOpen();

    /** @return the handle that owns the memory */
    abstract CpuOpv owner();

    /** @return a short description for messages, e.g. {@code "arena#3 slot cpu 1"} */
    abstract String describe();

    /** @return the native address of byte 0 (for C code and recorders; never needed to use the API) */
    public final long address() {
        return address;
    }

    /** @return the size in bytes */
    public final int byteSize() {
        return size;
    }

    /**
     * Checks that [offset, offset+len) is inside and the region is open.
     *
     * @return the absolute address of {@code offset}
     */
    final long check(long offset, int len) {
        if (offset < 0 || len < 0 || offset > size - (long) len) {
            throw new IndexOutOfBoundsException("offset " + offset + " + length " + len
                    + " is outside " + describe() + " of " + size + " bytes");
        }
        if (!isOpen()) {
            throw new IllegalStateException(describe() + " is closed");
        }
        return address + offset;
    }

    private long checkAligned(long offset, int len) {
        long a = check(offset, len);
        if ((a & (len - 1)) != 0) {
            throw new IllegalArgumentException("offset " + offset + " of " + describe() + " is not "
                    + len + "-byte aligned (address 0x" + Long.toHexString(a) + "); atomic access needs it");
        }
        return a;
    }

    /**
     * Plain read.
     *
     * @param offset byte offset in the region: {@code [offset, offset + 1)} must lie inside it
     * @return the value read
     * @throws IndexOutOfBoundsException when {@code [offset, offset + 1)} is not inside the region
     * @throws IllegalStateException when the region is closed (its arena, page region or handle)
     */
    public final byte getByte(long offset) {
        return Mem.getByte(check(offset, 1));
    }

    /**
     * Plain write.
     *
     * @param offset byte offset in the region: {@code [offset, offset + 1)} must lie inside it
     * @param value the value to write
     * @throws IndexOutOfBoundsException when {@code [offset, offset + 1)} is not inside the region
     * @throws IllegalStateException when the region is closed (its arena, page region or handle)
     */
    public final void putByte(long offset, byte value) {
        Mem.putByte(check(offset, 1), value);
    }

    /**
     * Plain read.
     *
     * @param offset byte offset in the region: {@code [offset, offset + 2)} must lie inside it
     * @return the value read
     * @throws IndexOutOfBoundsException when {@code [offset, offset + 2)} is not inside the region
     * @throws IllegalStateException when the region is closed (its arena, page region or handle)
     */
    public final short getShort(long offset) {
        return Mem.getShort(check(offset, 2));
    }

    /**
     * Plain write.
     *
     * @param offset byte offset in the region: {@code [offset, offset + 2)} must lie inside it
     * @param value the value to write
     * @throws IndexOutOfBoundsException when {@code [offset, offset + 2)} is not inside the region
     * @throws IllegalStateException when the region is closed (its arena, page region or handle)
     */
    public final void putShort(long offset, short value) {
        Mem.putShort(check(offset, 2), value);
    }

    /**
     * Plain read (single-copy atomic when aligned).
     *
     * @param offset byte offset in the region: {@code [offset, offset + 4)} must lie inside it
     * @return the value read
     * @throws IndexOutOfBoundsException when {@code [offset, offset + 4)} is not inside the region
     * @throws IllegalStateException when the region is closed (its arena, page region or handle)
     */
    public final int getInt(long offset) {
        return Mem.getInt(check(offset, 4));
    }

    /**
     * Plain write.
     *
     * @param offset byte offset in the region: {@code [offset, offset + 4)} must lie inside it
     * @param value the value to write
     * @throws IndexOutOfBoundsException when {@code [offset, offset + 4)} is not inside the region
     * @throws IllegalStateException when the region is closed (its arena, page region or handle)
     */
    public final void putInt(long offset, int value) {
        Mem.putInt(check(offset, 4), value);
    }

    /**
     * Plain read (single-copy atomic when aligned).
     *
     * @param offset byte offset in the region: {@code [offset, offset + 8)} must lie inside it
     * @return the value read
     * @throws IndexOutOfBoundsException when {@code [offset, offset + 8)} is not inside the region
     * @throws IllegalStateException when the region is closed (its arena, page region or handle)
     */
    public final long getLong(long offset) {
        return Mem.getLong(check(offset, 8));
    }

    /**
     * Plain write.
     *
     * @param offset byte offset in the region: {@code [offset, offset + 8)} must lie inside it
     * @param value the value to write
     * @throws IndexOutOfBoundsException when {@code [offset, offset + 8)} is not inside the region
     * @throws IllegalStateException when the region is closed (its arena, page region or handle)
     */
    public final void putLong(long offset, long value) {
        Mem.putLong(check(offset, 8), value);
    }

    /**
     * Read with acquire semantics: later accesses are not reordered before it. Aligned only.
     *
     * @param offset byte offset in the region: {@code [offset, offset + 4)} must lie inside it, 4-byte aligned
     * @return the value read
     * @throws IndexOutOfBoundsException when {@code [offset, offset + 4)} is not inside the region
     * @throws IllegalStateException when the region is closed (its arena, page region or handle)
     * @throws IllegalArgumentException when the address of {@code offset} is not 4-byte aligned
     */
    public final int getIntAcquire(long offset) {
        return Mem.getIntVolatile(checkAligned(offset, 4));
    }

    /**
     * Write with release semantics: earlier accesses are visible before it. Aligned only.
     *
     * @param offset byte offset in the region: {@code [offset, offset + 4)} must lie inside it, 4-byte aligned
     * @param value the value to write
     * @throws IndexOutOfBoundsException when {@code [offset, offset + 4)} is not inside the region
     * @throws IllegalStateException when the region is closed (its arena, page region or handle)
     * @throws IllegalArgumentException when the address of {@code offset} is not 4-byte aligned
     */
    public final void putIntRelease(long offset, int value) {
        Mem.putIntRelease(checkAligned(offset, 4), value);
    }

    /**
     * Sequentially consistent read. Aligned only.
     *
     * @param offset byte offset in the region: {@code [offset, offset + 4)} must lie inside it, 4-byte aligned
     * @return the value read
     * @throws IndexOutOfBoundsException when {@code [offset, offset + 4)} is not inside the region
     * @throws IllegalStateException when the region is closed (its arena, page region or handle)
     * @throws IllegalArgumentException when the address of {@code offset} is not 4-byte aligned
     */
    public final int getIntVolatile(long offset) {
        return Mem.getIntVolatile(checkAligned(offset, 4));
    }

    /**
     * Sequentially consistent write. Aligned only.
     *
     * @param offset byte offset in the region: {@code [offset, offset + 4)} must lie inside it, 4-byte aligned
     * @param value the value to write
     * @throws IndexOutOfBoundsException when {@code [offset, offset + 4)} is not inside the region
     * @throws IllegalStateException when the region is closed (its arena, page region or handle)
     * @throws IllegalArgumentException when the address of {@code offset} is not 4-byte aligned
     */
    public final void putIntVolatile(long offset, int value) {
        Mem.putIntVolatile(checkAligned(offset, 4), value);
    }

    /**
     * Atomic compare-and-set (sequentially consistent). Aligned only.
     *
     * @param offset byte offset in the region: {@code [offset, offset + 4)} must lie inside it, 4-byte aligned
     * @param expected the value the memory must hold
     * @param value    the value to write when it does
     * @return true when the memory held {@code expected} and now holds {@code value}; false when it held
     *         something else (nothing written)
     * @throws IndexOutOfBoundsException when {@code [offset, offset + 4)} is not inside the region
     * @throws IllegalStateException when the region is closed (its arena, page region or handle)
     * @throws IllegalArgumentException when the address of {@code offset} is not 4-byte aligned
     */
    public final boolean compareAndSetInt(long offset, int expected, int value) {
        return Mem.casInt(checkAligned(offset, 4), expected, value);
    }

    /**
     * Atomic add; returns the previous value. Aligned only.
     *
     * @param offset byte offset in the region: {@code [offset, offset + 4)} must lie inside it, 4-byte aligned
     * @param delta what to add; the sum wraps at 32 bits (a negative delta subtracts)
     * @return the value before the add
     * @throws IndexOutOfBoundsException when {@code [offset, offset + 4)} is not inside the region
     * @throws IllegalStateException when the region is closed (its arena, page region or handle)
     * @throws IllegalArgumentException when the address of {@code offset} is not 4-byte aligned
     */
    public final int getAndAddInt(long offset, int delta) {
        return Mem.getAndAddInt(checkAligned(offset, 4), delta);
    }

    /**
     * Read with acquire semantics. Aligned only.
     *
     * @param offset byte offset in the region: {@code [offset, offset + 8)} must lie inside it, 8-byte aligned
     * @return the value read
     * @throws IndexOutOfBoundsException when {@code [offset, offset + 8)} is not inside the region
     * @throws IllegalStateException when the region is closed (its arena, page region or handle)
     * @throws IllegalArgumentException when the address of {@code offset} is not 8-byte aligned
     */
    public final long getLongAcquire(long offset) {
        return Mem.getLongVolatile(checkAligned(offset, 8));
    }

    /**
     * Write with release semantics. Aligned only.
     *
     * @param offset byte offset in the region: {@code [offset, offset + 8)} must lie inside it, 8-byte aligned
     * @param value the value to write
     * @throws IndexOutOfBoundsException when {@code [offset, offset + 8)} is not inside the region
     * @throws IllegalStateException when the region is closed (its arena, page region or handle)
     * @throws IllegalArgumentException when the address of {@code offset} is not 8-byte aligned
     */
    public final void putLongRelease(long offset, long value) {
        Mem.putLongRelease(checkAligned(offset, 8), value);
    }

    /**
     * Sequentially consistent read. Aligned only.
     *
     * @param offset byte offset in the region: {@code [offset, offset + 8)} must lie inside it, 8-byte aligned
     * @return the value read
     * @throws IndexOutOfBoundsException when {@code [offset, offset + 8)} is not inside the region
     * @throws IllegalStateException when the region is closed (its arena, page region or handle)
     * @throws IllegalArgumentException when the address of {@code offset} is not 8-byte aligned
     */
    public final long getLongVolatile(long offset) {
        return Mem.getLongVolatile(checkAligned(offset, 8));
    }

    /**
     * Sequentially consistent write. Aligned only.
     *
     * @param offset byte offset in the region: {@code [offset, offset + 8)} must lie inside it, 8-byte aligned
     * @param value the value to write
     * @throws IndexOutOfBoundsException when {@code [offset, offset + 8)} is not inside the region
     * @throws IllegalStateException when the region is closed (its arena, page region or handle)
     * @throws IllegalArgumentException when the address of {@code offset} is not 8-byte aligned
     */
    public final void putLongVolatile(long offset, long value) {
        Mem.putLongVolatile(checkAligned(offset, 8), value);
    }

    /**
     * Atomic compare-and-set (sequentially consistent). Aligned only.
     *
     * @param offset byte offset in the region: {@code [offset, offset + 8)} must lie inside it, 8-byte aligned
     * @param expected the value the memory must hold
     * @param value    the value to write when it does
     * @return true when the memory held {@code expected} and now holds {@code value}; false when it held
     *         something else (nothing written)
     * @throws IndexOutOfBoundsException when {@code [offset, offset + 8)} is not inside the region
     * @throws IllegalStateException when the region is closed (its arena, page region or handle)
     * @throws IllegalArgumentException when the address of {@code offset} is not 8-byte aligned
     */
    public final boolean compareAndSetLong(long offset, long expected, long value) {
        return Mem.casLong(checkAligned(offset, 8), expected, value);
    }

    /**
     * Atomic add; returns the previous value. Aligned only.
     *
     * @param offset byte offset in the region: {@code [offset, offset + 8)} must lie inside it, 8-byte aligned
     * @param delta what to add; the sum wraps at 64 bits (a negative delta subtracts)
     * @return the value before the add
     * @throws IndexOutOfBoundsException when {@code [offset, offset + 8)} is not inside the region
     * @throws IllegalStateException when the region is closed (its arena, page region or handle)
     * @throws IllegalArgumentException when the address of {@code offset} is not 8-byte aligned
     */
    public final long getAndAddLong(long offset, long delta) {
        return Mem.getAndAddLong(checkAligned(offset, 8), delta);
    }

    /**
     * Copies {@code len} bytes from the region into {@code dst[from..]} (plain reads).
     *
     * @param offset byte offset in the region of the first byte to copy
     * @param dst    where to copy to
     * @param from   index in {@code dst} of the first byte copied
     * @param len    how many bytes, &gt;= 0
     * @throws IndexOutOfBoundsException when {@code [from, from + len)} is not inside {@code dst}, or
     *         {@code [offset, offset + len)} not inside the region
     * @throws IllegalStateException when the region is closed (its arena, page region or handle)
     * @throws NullPointerException when {@code dst} is null
     */
    public final void getBytes(long offset, byte[] dst, int from, int len) {
        java.util.Objects.checkFromIndexSize(from, len, dst.length);
        long a = check(offset, len);
        Mem.copyToArray(a, dst, from, len);
    }

    /**
     * Copies {@code src[from..from+len)} into the region (plain writes).
     *
     * @param offset byte offset in the region where the first byte goes
     * @param src    the bytes to copy
     * @param from   index in {@code src} of the first byte copied
     * @param len    how many bytes, &gt;= 0
     * @throws IndexOutOfBoundsException when {@code [from, from + len)} is not inside {@code src}, or
     *         {@code [offset, offset + len)} not inside the region
     * @throws IllegalStateException when the region is closed (its arena, page region or handle)
     * @throws NullPointerException when {@code src} is null
     */
    public final void putBytes(long offset, byte[] src, int from, int len) {
        java.util.Objects.checkFromIndexSize(from, len, src.length);
        long a = check(offset, len);
        Mem.copyFromArray(src, from, a, len);
    }

    /**
     * Sets {@code len} bytes to {@code value} (plain writes).
     *
     * @param offset byte offset in the region of the first byte to set
     * @param len    how many bytes, &gt;= 0: {@code [offset, offset + len)} must lie inside the region
     * @param value  the byte to write into each of them
     * @throws IndexOutOfBoundsException when {@code len} is negative or {@code [offset, offset + len)} is not
     *         inside the region
     * @throws IllegalStateException when the region is closed (its arena, page region or handle)
     */
    public final void fill(long offset, int len, byte value) {
        Mem.setMemory(check(offset, len), len, value);
    }

    /** A full fence, for algorithms that mix plain accesses with vectors (see the spec). */
    public static void fullFence() {
        VarHandle.fullFence();
    }
}
