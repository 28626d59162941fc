/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv;

import org.cpuopv.internal.Mem;
import org.cpuopv.internal.NativeBlock;
import org.cpuopv.internal.Abi;

/**
 * A reusable builder and holder of one op vector: up to 4 operations and a target CPU,
 * encoded as {@code struct cpu_op[]} in native memory it owns, ready to be executed by its
 * {@link CpuOpv} without any per-call allocation.
 *
 * <pre>{@code
 * vector.on(cpu)
 *       .compareEqLong(slot, HEAD, expectedHead)   // stop unless head == expectedHead
 *       .storeLong(slot, HEAD, newHead);           // head = newHead
 * Outcome o = cpuOpv.execute(vector);
 * }</pre>
 *
 * <p>Operands are (region, offset) pairs in memory of the same {@link CpuOpv}; each is checked
 * when the op is added (inside the region, lengths within the limits of the spec, typed forms
 * naturally aligned so they are single-copy atomic) and again at execute (region still open),
 * so a vector built through this API can only make the kernel touch memory the handle owns.
 * Immediates (expected values of a compare, values of a store) are copied into scratch memory
 * of the vector at build time. A failed check throws {@link IllegalArgumentException} or
 * {@link IllegalStateException} naming the op index, the field and the value, and leaves the
 * vector as it was.
 *
 * <p>Not thread-safe: use one vector per thread (building allocates nothing; keep it).
 * Closing frees its native memory; closing its {@link CpuOpv} closes it too.
 */
public final class OpVector implements AutoCloseable {
    private static final int OPS_BYTES = NativeBlock.ALIGNMENT;          // 4 x 32
    private static final int SCRATCH_BYTES = Abi.VEC_DATA_LEN_MAX + 4 * 8 + 72;

    private final CpuOpv owner;
    private final NativeBlock block;
    private final long ops;
    private final long scratch;
    private final Region[] firstRegion = new Region[Abi.VEC_LEN_MAX];
    private final Region[] secondRegion = new Region[Abi.VEC_LEN_MAX];
    private int count;
    private int cpu = -1;
    private int dataLen;
    private int scratchUsed;

    OpVector(CpuOpv owner, NativeBlock block) {
        this.owner = owner;
        this.block = block;
        this.ops = block.address;
        this.scratch = block.address + OPS_BYTES;
    }

    static long bytesNeeded() {
        return OPS_BYTES + SCRATCH_BYTES;
    }

    // ---------------------------------------------------------------- state

    /**
     * Starts a new vector for {@code cpu}: clears every op.
     *
     * @param cpu the CPU to run on: a possible CPU (the kernel also requires it in the calling
     *            thread's affinity mask, and answers EINVAL otherwise)
     * @return this vector, for chaining
     * @throws IllegalArgumentException when {@code cpu} is not one of {@link CpuOpv#possibleCpus()}
     * @throws IllegalStateException when the vector is closed
     */
    public OpVector on(int cpu) {
        checkOpen();
        if (!owner.possibleCpus().contains(cpu)) {
            throw new IllegalArgumentException("target cpu " + cpu + " is not a possible CPU (possible: "
                    + owner.possibleCpus() + ")");
        }
        clear();
        this.cpu = cpu;
        return this;
    }

    /**
     * Clears every op and the target CPU.
     *
     * @return this vector, for chaining
     */
    public OpVector reset() {
        clear();
        this.cpu = -1;
        return this;
    }

    private void clear() {
        for (int i = 0; i < count; i++) {
            firstRegion[i] = null;
            secondRegion[i] = null;
        }
        count = 0;
        dataLen = 0;
        scratchUsed = 0;
    }

    /** @return the target CPU, or -1 before {@link #on(int)} */
    public int targetCpu() {
        return cpu;
    }

    /** @return the number of ops (0..4) */
    public int size() {
        return count;
    }

    /** @return the sum of the ops' lengths (at most 4120) */
    public int dataLength() {
        return dataLen;
    }

    /** @return the handle this vector belongs to */
    public CpuOpv owner() {
        return owner;
    }

    // ---------------------------------------------------------------- compare

    /**
     * Stops the vector unless the {@code len} bytes at a and b are equal (len 0..4096; 0 is "equal").
     *
     * @param a the region of operand a
     * @param aOffset offset of operand a in {@code a}: {@code [aOffset, aOffset + len)} must lie inside it
     * @param b the region of operand b (may be {@code a})
     * @param bOffset offset of operand b in {@code b}: {@code [bOffset, bOffset + len)} must lie inside it
     * @param len how many bytes to compare, 0..4096
     * @return this vector, for chaining
     * @throws NullPointerException when {@code a} or {@code b} is null
     * @throws IllegalArgumentException when {@code len} is not 0..4096 or would bring the vector's total length
     *         past 4120 bytes, or a region belongs to another handle
     * @throws IndexOutOfBoundsException when an operand's bytes are not inside its region
     * @throws IllegalStateException when the vector or a region is closed, {@link #on(int)} was not called, or
     *         the vector already holds 4 ops
     */
    public OpVector compareEq(Region a, long aOffset, Region b, long bOffset, int len) {
        return memoryOp(OpType.COMPARE_EQ, a, aOffset, b, bOffset, len);
    }

    /**
     * Stops the vector unless the {@code len} bytes at a and b differ (len 0 always stops it).
     *
     * @param a the region of operand a
     * @param aOffset offset of operand a in {@code a}: {@code [aOffset, aOffset + len)} must lie inside it
     * @param b the region of operand b (may be {@code a})
     * @param bOffset offset of operand b in {@code b}: {@code [bOffset, bOffset + len)} must lie inside it
     * @param len how many bytes to compare, 0..4096
     * @return this vector, for chaining
     * @throws NullPointerException when {@code a} or {@code b} is null
     * @throws IllegalArgumentException when {@code len} is not 0..4096 or would bring the vector's total length
     *         past 4120 bytes, or a region belongs to another handle
     * @throws IndexOutOfBoundsException when an operand's bytes are not inside its region
     * @throws IllegalStateException when the vector or a region is closed, {@link #on(int)} was not called, or
     *         the vector already holds 4 ops
     */
    public OpVector compareNe(Region a, long aOffset, Region b, long bOffset, int len) {
        return memoryOp(OpType.COMPARE_NE, a, aOffset, b, bOffset, len);
    }

    /**
     * Stops the vector unless the aligned long at {@code offset} equals {@code expected}.
     *
     * @param a the region holding the long
     * @param offset byte offset of the long in {@code a}, inside it; the address must be 8-byte aligned
     * @param expected the value the long must hold for the vector to go on (copied into the vector now)
     * @return this vector, for chaining
     * @throws NullPointerException when {@code a} is null
     * @throws IllegalArgumentException when the address is not 8-byte aligned, the op would bring the
     *         vector's total length past 4120 bytes, or {@code a} belongs to another handle
     * @throws IndexOutOfBoundsException when the 8 bytes at {@code offset} are not inside {@code a}
     * @throws IllegalStateException when the vector or a region is closed, {@link #on(int)} was not called, or
     *         the vector already holds 4 ops
     */
    public OpVector compareEqLong(Region a, long offset, long expected) {
        return immediateOp(OpType.COMPARE_EQ, a, offset, 8, expected);
    }

    /**
     * Stops the vector unless the aligned long at {@code offset} differs from {@code value}.
     *
     * @param a the region holding the long
     * @param offset byte offset of the long in {@code a}, inside it; the address must be 8-byte aligned
     * @param value the value the long must differ from for the vector to go on (copied into the vector now)
     * @return this vector, for chaining
     * @throws NullPointerException when {@code a} is null
     * @throws IllegalArgumentException when the address is not 8-byte aligned, the op would bring the
     *         vector's total length past 4120 bytes, or {@code a} belongs to another handle
     * @throws IndexOutOfBoundsException when the 8 bytes at {@code offset} are not inside {@code a}
     * @throws IllegalStateException when the vector or a region is closed, {@link #on(int)} was not called, or
     *         the vector already holds 4 ops
     */
    public OpVector compareNeLong(Region a, long offset, long value) {
        return immediateOp(OpType.COMPARE_NE, a, offset, 8, value);
    }

    /**
     * Stops the vector unless the aligned int at {@code offset} equals {@code expected}.
     *
     * @param a the region holding the int
     * @param offset byte offset of the int in {@code a}, inside it; the address must be 4-byte aligned
     * @param expected the value the int must hold for the vector to go on (copied into the vector now)
     * @return this vector, for chaining
     * @throws NullPointerException when {@code a} is null
     * @throws IllegalArgumentException when the address is not 4-byte aligned, the op would bring the
     *         vector's total length past 4120 bytes, or {@code a} belongs to another handle
     * @throws IndexOutOfBoundsException when the 4 bytes at {@code offset} are not inside {@code a}
     * @throws IllegalStateException when the vector or a region is closed, {@link #on(int)} was not called, or
     *         the vector already holds 4 ops
     */
    public OpVector compareEqInt(Region a, long offset, int expected) {
        return immediateOp(OpType.COMPARE_EQ, a, offset, 4, expected);
    }

    /**
     * Stops the vector unless the aligned int at {@code offset} differs from {@code value}.
     *
     * @param a the region holding the int
     * @param offset byte offset of the int in {@code a}, inside it; the address must be 4-byte aligned
     * @param value the value the int must differ from for the vector to go on (copied into the vector now)
     * @return this vector, for chaining
     * @throws NullPointerException when {@code a} is null
     * @throws IllegalArgumentException when the address is not 4-byte aligned, the op would bring the
     *         vector's total length past 4120 bytes, or {@code a} belongs to another handle
     * @throws IndexOutOfBoundsException when the 4 bytes at {@code offset} are not inside {@code a}
     * @throws IllegalStateException when the vector or a region is closed, {@link #on(int)} was not called, or
     *         the vector already holds 4 ops
     */
    public OpVector compareNeInt(Region a, long offset, int value) {
        return immediateOp(OpType.COMPARE_NE, a, offset, 4, value);
    }

    /**
     * Stops the vector unless the bytes at {@code offset} equal {@code expected} (copied now).
     *
     * @param a the region holding the bytes to compare
     * @param offset byte offset in {@code a}: {@code [offset, offset + expected.length)} must lie inside it
     * @param expected the bytes expected, 0..4096 of them; their count is the op's len (empty: "equal")
     * @return this vector, for chaining
     * @throws NullPointerException when {@code a} or {@code expected} is null
     * @throws IllegalArgumentException when {@code expected} is longer than 4096 bytes or would bring the
     *         vector's total length past 4120 bytes, or {@code a} belongs to another handle
     * @throws IndexOutOfBoundsException when the bytes at {@code offset} are not inside {@code a}
     * @throws IllegalStateException when the vector or a region is closed, {@link #on(int)} was not called, or
     *         the vector already holds 4 ops
     */
    public OpVector compareEqBytes(Region a, long offset, byte[] expected) {
        return bytesOp(OpType.COMPARE_EQ, a, offset, expected, 0, expected.length);
    }

    /**
     * Stops the vector unless the bytes at {@code offset} differ from {@code value} (copied now).
     *
     * @param a the region holding the bytes to compare
     * @param offset byte offset in {@code a}: {@code [offset, offset + value.length)} must lie inside it
     * @param value the bytes they must differ from, 0..4096 of them; their count is the op's len (empty
     *              always stops the vector)
     * @return this vector, for chaining
     * @throws NullPointerException when {@code a} or {@code value} is null
     * @throws IllegalArgumentException when {@code value} is longer than 4096 bytes or would bring the
     *         vector's total length past 4120 bytes, or {@code a} belongs to another handle
     * @throws IndexOutOfBoundsException when the bytes at {@code offset} are not inside {@code a}
     * @throws IllegalStateException when the vector or a region is closed, {@link #on(int)} was not called, or
     *         the vector already holds 4 ops
     */
    public OpVector compareNeBytes(Region a, long offset, byte[] value) {
        return bytesOp(OpType.COMPARE_NE, a, offset, value, 0, value.length);
    }

    // ---------------------------------------------------------------- memcpy / store

    /**
     * Copies {@code len} (0..4096) bytes src to dst; aligned 1/2/4/8-byte copies are single-copy atomic.
     *
     * @param dst the region of operand dst
     * @param dstOffset offset of operand dst in {@code dst}: {@code [dstOffset, dstOffset + len)} must lie inside it
     * @param src the region of operand src (may be {@code dst})
     * @param srcOffset offset of operand src in {@code src}: {@code [srcOffset, srcOffset + len)} must lie inside it
     * @param len how many bytes to copy, 0..4096
     * @return this vector, for chaining
     * @throws NullPointerException when {@code dst} or {@code src} is null
     * @throws IllegalArgumentException when {@code len} is not 0..4096 or would bring the vector's total length
     *         past 4120 bytes, or a region belongs to another handle
     * @throws IndexOutOfBoundsException when an operand's bytes are not inside its region
     * @throws IllegalStateException when the vector or a region is closed, {@link #on(int)} was not called, or
     *         the vector already holds 4 ops
     */
    public OpVector memcpy(Region dst, long dstOffset, Region src, long srcOffset, int len) {
        return memoryOp(OpType.MEMCPY, dst, dstOffset, src, srcOffset, len);
    }

    /**
     * {@link #memcpy} with release semantics: everything before is visible before the copy's stores.
     *
     * @param dst the region of operand dst
     * @param dstOffset offset of operand dst in {@code dst}: {@code [dstOffset, dstOffset + len)} must lie inside it
     * @param src the region of operand src (may be {@code dst})
     * @param srcOffset offset of operand src in {@code src}: {@code [srcOffset, srcOffset + len)} must lie inside it
     * @param len how many bytes to copy, 0..4096
     * @return this vector, for chaining
     * @throws NullPointerException when {@code dst} or {@code src} is null
     * @throws IllegalArgumentException when {@code len} is not 0..4096 or would bring the vector's total length
     *         past 4120 bytes, or a region belongs to another handle
     * @throws IndexOutOfBoundsException when an operand's bytes are not inside its region
     * @throws IllegalStateException when the vector or a region is closed, {@link #on(int)} was not called, or
     *         the vector already holds 4 ops
     */
    public OpVector memcpyRelease(Region dst, long dstOffset, Region src, long srcOffset, int len) {
        return memoryOp(OpType.MEMCPY_RELEASE, dst, dstOffset, src, srcOffset, len);
    }

    /**
     * Stores a long at an aligned offset (a memcpy from scratch; single-copy atomic).
     *
     * @param dst the region holding the long
     * @param offset byte offset of the long in {@code dst}, inside it; the address must be 8-byte aligned
     * @param value the value to store (copied into the vector now)
     * @return this vector, for chaining
     * @throws NullPointerException when {@code dst} is null
     * @throws IllegalArgumentException when the address is not 8-byte aligned, the op would bring the
     *         vector's total length past 4120 bytes, or {@code dst} belongs to another handle
     * @throws IndexOutOfBoundsException when the 8 bytes at {@code offset} are not inside {@code dst}
     * @throws IllegalStateException when the vector or a region is closed, {@link #on(int)} was not called, or
     *         the vector already holds 4 ops
     */
    public OpVector storeLong(Region dst, long offset, long value) {
        return immediateOp(OpType.MEMCPY, dst, offset, 8, value);
    }

    /**
     * Stores a long at an aligned offset with release semantics.
     *
     * @param dst the region holding the long
     * @param offset byte offset of the long in {@code dst}, inside it; the address must be 8-byte aligned
     * @param value the value to store (copied into the vector now)
     * @return this vector, for chaining
     * @throws NullPointerException when {@code dst} is null
     * @throws IllegalArgumentException when the address is not 8-byte aligned, the op would bring the
     *         vector's total length past 4120 bytes, or {@code dst} belongs to another handle
     * @throws IndexOutOfBoundsException when the 8 bytes at {@code offset} are not inside {@code dst}
     * @throws IllegalStateException when the vector or a region is closed, {@link #on(int)} was not called, or
     *         the vector already holds 4 ops
     */
    public OpVector storeLongRelease(Region dst, long offset, long value) {
        return immediateOp(OpType.MEMCPY_RELEASE, dst, offset, 8, value);
    }

    /**
     * Stores an int at an aligned offset (single-copy atomic).
     *
     * @param dst the region holding the int
     * @param offset byte offset of the int in {@code dst}, inside it; the address must be 4-byte aligned
     * @param value the value to store (copied into the vector now)
     * @return this vector, for chaining
     * @throws NullPointerException when {@code dst} is null
     * @throws IllegalArgumentException when the address is not 4-byte aligned, the op would bring the
     *         vector's total length past 4120 bytes, or {@code dst} belongs to another handle
     * @throws IndexOutOfBoundsException when the 4 bytes at {@code offset} are not inside {@code dst}
     * @throws IllegalStateException when the vector or a region is closed, {@link #on(int)} was not called, or
     *         the vector already holds 4 ops
     */
    public OpVector storeInt(Region dst, long offset, int value) {
        return immediateOp(OpType.MEMCPY, dst, offset, 4, value);
    }

    /**
     * Stores an int at an aligned offset with release semantics.
     *
     * @param dst the region holding the int
     * @param offset byte offset of the int in {@code dst}, inside it; the address must be 4-byte aligned
     * @param value the value to store (copied into the vector now)
     * @return this vector, for chaining
     * @throws NullPointerException when {@code dst} is null
     * @throws IllegalArgumentException when the address is not 4-byte aligned, the op would bring the
     *         vector's total length past 4120 bytes, or {@code dst} belongs to another handle
     * @throws IndexOutOfBoundsException when the 4 bytes at {@code offset} are not inside {@code dst}
     * @throws IllegalStateException when the vector or a region is closed, {@link #on(int)} was not called, or
     *         the vector already holds 4 ops
     */
    public OpVector storeIntRelease(Region dst, long offset, int value) {
        return immediateOp(OpType.MEMCPY_RELEASE, dst, offset, 4, value);
    }

    /**
     * Stores {@code src[from..from+len)} at {@code offset} (copied into scratch now; byte copy).
     *
     * @param dst the region to store into
     * @param offset byte offset in {@code dst}: {@code [offset, offset + len)} must lie inside it
     * @param src the bytes to store (copied into the vector now)
     * @param from index in {@code src} of the first byte
     * @param len how many bytes, 0..4096
     * @return this vector, for chaining
     * @throws NullPointerException when {@code dst} or {@code src} is null
     * @throws IllegalArgumentException when {@code len} is not 0..4096 or would bring the vector's total length
     *         past 4120 bytes, or {@code dst} belongs to another handle
     * @throws IndexOutOfBoundsException when {@code [from, from + len)} is not inside {@code src}, or the
     *         {@code len} bytes at {@code offset} are not inside {@code dst}
     * @throws IllegalStateException when the vector or a region is closed, {@link #on(int)} was not called, or
     *         the vector already holds 4 ops
     */
    public OpVector storeBytes(Region dst, long offset, byte[] src, int from, int len) {
        return bytesOp(OpType.MEMCPY, dst, offset, src, from, len);
    }

    /**
     * {@link #storeBytes} with release semantics.
     *
     * @param dst the region to store into
     * @param offset byte offset in {@code dst}: {@code [offset, offset + len)} must lie inside it
     * @param src the bytes to store (copied into the vector now)
     * @param from index in {@code src} of the first byte
     * @param len how many bytes, 0..4096
     * @return this vector, for chaining
     * @throws NullPointerException when {@code dst} or {@code src} is null
     * @throws IllegalArgumentException when {@code len} is not 0..4096 or would bring the vector's total length
     *         past 4120 bytes, or {@code dst} belongs to another handle
     * @throws IndexOutOfBoundsException when {@code [from, from + len)} is not inside {@code src}, or the
     *         {@code len} bytes at {@code offset} are not inside {@code dst}
     * @throws IllegalStateException when the vector or a region is closed, {@link #on(int)} was not called, or
     *         the vector already holds 4 ops
     */
    public OpVector storeBytesRelease(Region dst, long offset, byte[] src, int from, int len) {
        return bytesOp(OpType.MEMCPY_RELEASE, dst, offset, src, from, len);
    }

    // ---------------------------------------------------------------- add

    /**
     * {@code *(long *)p += count} (wraps) at an aligned offset.
     *
     * @param p the region holding the long
     * @param offset byte offset of the long in {@code p}, inside it; the address must be 8-byte aligned
     * @param count what to add; the sum wraps at 64 bits (a negative count subtracts)
     * @return this vector, for chaining
     * @throws NullPointerException when {@code p} is null
     * @throws IllegalArgumentException when the address is not 8-byte aligned, the op would bring the
     *         vector's total length past 4120 bytes, or {@code p} belongs to another handle
     * @throws IndexOutOfBoundsException when the 8 bytes at {@code offset} are not inside {@code p}
     * @throws IllegalStateException when the vector or a region is closed, {@link #on(int)} was not called, or
     *         the vector already holds 4 ops
     */
    public OpVector addLong(Region p, long offset, long count) {
        return addOp(OpType.ADD, p, offset, 8, count);
    }

    /**
     * {@link #addLong} with a store-release.
     *
     * @param p the region holding the long
     * @param offset byte offset of the long in {@code p}, inside it; the address must be 8-byte aligned
     * @param count what to add; the sum wraps at 64 bits (a negative count subtracts)
     * @return this vector, for chaining
     * @throws NullPointerException when {@code p} is null
     * @throws IllegalArgumentException when the address is not 8-byte aligned, the op would bring the
     *         vector's total length past 4120 bytes, or {@code p} belongs to another handle
     * @throws IndexOutOfBoundsException when the 8 bytes at {@code offset} are not inside {@code p}
     * @throws IllegalStateException when the vector or a region is closed, {@link #on(int)} was not called, or
     *         the vector already holds 4 ops
     */
    public OpVector addLongRelease(Region p, long offset, long count) {
        return addOp(OpType.ADD_RELEASE, p, offset, 8, count);
    }

    /**
     * {@code *(int *)p += count} (wraps) at an aligned offset.
     *
     * @param p the region holding the int
     * @param offset byte offset of the int in {@code p}, inside it; the address must be 4-byte aligned
     * @param count what to add; the sum wraps at 32 bits (a negative count subtracts)
     * @return this vector, for chaining
     * @throws NullPointerException when {@code p} is null
     * @throws IllegalArgumentException when the address is not 4-byte aligned, the op would bring the
     *         vector's total length past 4120 bytes, or {@code p} belongs to another handle
     * @throws IndexOutOfBoundsException when the 4 bytes at {@code offset} are not inside {@code p}
     * @throws IllegalStateException when the vector or a region is closed, {@link #on(int)} was not called, or
     *         the vector already holds 4 ops
     */
    public OpVector addInt(Region p, long offset, int count) {
        return addOp(OpType.ADD, p, offset, 4, count);
    }

    /**
     * {@link #addInt} with a store-release.
     *
     * @param p the region holding the int
     * @param offset byte offset of the int in {@code p}, inside it; the address must be 4-byte aligned
     * @param count what to add; the sum wraps at 32 bits (a negative count subtracts)
     * @return this vector, for chaining
     * @throws NullPointerException when {@code p} is null
     * @throws IllegalArgumentException when the address is not 4-byte aligned, the op would bring the
     *         vector's total length past 4120 bytes, or {@code p} belongs to another handle
     * @throws IndexOutOfBoundsException when the 4 bytes at {@code offset} are not inside {@code p}
     * @throws IllegalStateException when the vector or a region is closed, {@link #on(int)} was not called, or
     *         the vector already holds 4 ops
     */
    public OpVector addIntRelease(Region p, long offset, int count) {
        return addOp(OpType.ADD_RELEASE, p, offset, 4, count);
    }

    /**
     * {@code *(short *)p += count} (wraps) at an aligned offset.
     *
     * @param p the region holding the short
     * @param offset byte offset of the short in {@code p}, inside it; the address must be 2-byte aligned
     * @param count what to add; the sum wraps at 16 bits (a negative count subtracts)
     * @return this vector, for chaining
     * @throws NullPointerException when {@code p} is null
     * @throws IllegalArgumentException when the address is not 2-byte aligned, the op would bring the
     *         vector's total length past 4120 bytes, or {@code p} belongs to another handle
     * @throws IndexOutOfBoundsException when the 2 bytes at {@code offset} are not inside {@code p}
     * @throws IllegalStateException when the vector or a region is closed, {@link #on(int)} was not called, or
     *         the vector already holds 4 ops
     */
    public OpVector addShort(Region p, long offset, short count) {
        return addOp(OpType.ADD, p, offset, 2, count);
    }

    /**
     * {@code *(byte *)p += count} (wraps).
     *
     * @param p the region holding the byte
     * @param offset byte offset of the byte in {@code p}, inside it (any alignment)
     * @param count what to add; the sum wraps at 8 bits (a negative count subtracts)
     * @return this vector, for chaining
     * @throws NullPointerException when {@code p} is null
     * @throws IllegalArgumentException when the op would bring the vector's total length past 4120 bytes, or
     *         {@code p} belongs to another handle
     * @throws IndexOutOfBoundsException when {@code offset} is not inside {@code p}
     * @throws IllegalStateException when the vector or a region is closed, {@link #on(int)} was not called, or
     *         the vector already holds 4 ops
     */
    public OpVector addByte(Region p, long offset, byte count) {
        return addOp(OpType.ADD, p, offset, 1, count);
    }

    // ---------------------------------------------------------------- expect fault

    /**
     * Marks operand a of the last op (a compare): a fault on it gives EAGAIN, not EFAULT.
     *
     * @return this vector, for chaining
     * @throws IllegalStateException when the vector is closed, has no op yet, or its last op has no operand
     *         a (it is not a compare)
     */
    public OpVector expectFaultA() {
        return markFault(true, "a");
    }

    /**
     * Marks operand b of the last op (a compare).
     *
     * @return this vector, for chaining
     * @throws IllegalStateException when the vector is closed, has no op yet, or its last op has no operand
     *         b (it is not a compare)
     */
    public OpVector expectFaultB() {
        return markFault(false, "b");
    }

    /**
     * Marks operand dst of the last op (a memcpy or store).
     *
     * @return this vector, for chaining
     * @throws IllegalStateException when the vector is closed, has no op yet, or its last op has no operand
     *         dst (it is not a memcpy or store)
     */
    public OpVector expectFaultDst() {
        return markFault(true, "dst");
    }

    /**
     * Marks operand src of the last op (a memcpy).
     *
     * @return this vector, for chaining
     * @throws IllegalStateException when the vector is closed, has no op yet, or its last op has no operand
     *         src (it is not a memcpy: a store's src is the vector's own immediate, a compare's operands
     *         are a and b)
     */
    public OpVector expectFaultSrc() {
        return markFault(false, "src");
    }

    /**
     * Marks operand p of the last op (an add).
     *
     * @return this vector, for chaining
     * @throws IllegalStateException when the vector is closed, has no op yet, or its last op has no operand
     *         p (it is not an add)
     */
    public OpVector expectFaultP() {
        return markFault(true, "p");
    }

    private OpVector markFault(boolean first, String field) {
        checkOpen();
        if (count == 0) {
            throw new IllegalStateException("expect_fault_" + field + ": the vector has no op yet");
        }
        int i = count - 1;
        OpType t = opType(i);
        String name = first ? t.firstOperandName() : t.secondOperandName();
        if (!field.equals(name)) {
            throw new IllegalStateException("op " + i + " (" + t.abiName() + ") has no operand '" + field
                    + "' (its operands: " + t.firstOperandName()
                    + (t.secondOperandName() == null ? "" : ", " + t.secondOperandName()) + ")");
        }
        Mem.putByte(ops + (long) i * Abi.CPU_OP_SIZE + (first ? Abi.OFF_FAULT_FIRST : Abi.OFF_FAULT_SECOND), (byte) 1);
        return this;
    }

    // ---------------------------------------------------------------- building

    private void checkRoom(OpType t, int len) {
        checkOpen();
        if (cpu < 0) {
            throw new IllegalStateException("op " + count + " (" + t.abiName()
                    + "): no target CPU; start the vector with on(cpu)");
        }
        if (count == Abi.VEC_LEN_MAX) {
            throw new IllegalStateException("op " + count + " (" + t.abiName() + "): the vector already holds "
                    + Abi.VEC_LEN_MAX + " ops (CPU_OP_VEC_LEN_MAX)");
        }
        if (len < 0 || len > Abi.DATA_LEN_MAX) {
            throw new IllegalArgumentException("op " + count + " (" + t.abiName() + ") field len: " + len
                    + " is not in 0.." + Abi.DATA_LEN_MAX + " (CPU_OP_DATA_LEN_MAX)");
        }
        if (dataLen + len > Abi.VEC_DATA_LEN_MAX) {
            throw new IllegalArgumentException("op " + count + " (" + t.abiName() + ") field len: " + len
                    + " brings the vector's total length to " + (dataLen + len) + ", more than "
                    + Abi.VEC_DATA_LEN_MAX + " (CPU_OP_VEC_DATA_LEN_MAX)");
        }
    }

    /** Checks one operand; @return its absolute address. */
    private long operand(OpType t, String field, Region r, long offset, int len, int align) {
        if (r == null) {
            throw new NullPointerException("op " + count + " (" + t.abiName() + ") operand " + field + ": region is null");
        }
        if (r.owner() != owner) {
            throw new IllegalArgumentException("op " + count + " (" + t.abiName() + ") operand " + field + ": "
                    + r.describe() + " belongs to another CpuOpv handle");
        }
        if (!r.isOpen()) {
            throw new IllegalStateException("op " + count + " (" + t.abiName() + ") operand " + field + ": "
                    + r.describe() + " is closed");
        }
        if (offset < 0 || offset > r.size - (long) len) {
            throw new IndexOutOfBoundsException("op " + count + " (" + t.abiName() + ") operand " + field
                    + ": offset " + offset + " + len " + len + " is outside " + r.describe() + " of "
                    + r.size + " bytes");
        }
        long a = r.address + offset;
        if ((a & (align - 1)) != 0) {
            throw new IllegalArgumentException("op " + count + " (" + t.abiName() + ") operand " + field
                    + ": offset " + offset + " is not " + align + "-byte aligned; a typed op must be"
                    + " single-copy atomic");
        }
        return a;
    }

    private OpVector memoryOp(OpType t, Region a, long aOff, Region b, long bOff, int len) {
        checkRoom(t, len);
        long first = operand(t, t.firstOperandName(), a, aOff, len, 1);
        long second = operand(t, t.secondOperandName(), b, bOff, len, 1);
        return append(t, first, second, len, a, b);
    }

    private long takeScratch(OpType t, int len) {
        int at = (scratchUsed + 7) & ~7;
        if (at + len > SCRATCH_BYTES) { // cannot happen within the total length limit
            throw new IllegalStateException("op " + count + " (" + t.abiName() + "): scratch memory exhausted");
        }
        scratchUsed = at + len;
        return scratch + at;
    }

    private OpVector immediateOp(OpType t, Region r, long offset, int width, long value) {
        checkRoom(t, width);
        long first = operand(t, t.firstOperandName(), r, offset, width, width);
        long imm = takeScratch(t, width);
        if (width == 8) {
            Mem.putLong(imm, value);
        } else {
            Mem.putInt(imm, (int) value);
        }
        return append(t, first, imm, width, r, null);
    }

    private OpVector bytesOp(OpType t, Region r, long offset, byte[] src, int from, int len) {
        checkRoom(t, len);
        java.util.Objects.checkFromIndexSize(from, len, src.length);
        long first = operand(t, t.firstOperandName(), r, offset, len, 1);
        long imm = takeScratch(t, len);
        Mem.copyFromArray(src, from, imm, len);
        return append(t, first, imm, len, r, null);
    }

    private OpVector addOp(OpType t, Region p, long offset, int width, long value) {
        checkRoom(t, width);
        long first = operand(t, "p", p, offset, width, width);
        return append(t, first, value, width, p, null);
    }

    private OpVector append(OpType t, long first, long second, int len, Region r1, Region r2) {
        long op = ops + (long) count * Abi.CPU_OP_SIZE;
        Mem.putInt(op + Abi.OFF_OP, t.code());
        Mem.putInt(op + Abi.OFF_LEN, len);
        Mem.putLong(op + Abi.OFF_FIRST, first);
        Mem.putLong(op + Abi.OFF_SECOND, second);
        Mem.putLong(op + Abi.OFF_FAULT_FIRST, 0L); // expect-fault bytes and padding
        firstRegion[count] = r1;
        secondRegion[count] = r2;
        dataLen += len;
        count++;
        return this;
    }

    /**
     * Appends an op without any check but the op count: addresses are raw. Package-private, for
     * tests of the backends' own validation and of faults on memory no region owns.
     */
    OpVector rawOp(OpType t, long first, long second, int len, boolean faultFirst, boolean faultSecond) {
        checkOpen();
        if (count == Abi.VEC_LEN_MAX) {
            throw new IllegalStateException("vector full");
        }
        append(t, first, second, len, null, null);
        long op = ops + (long) (count - 1) * Abi.CPU_OP_SIZE;
        Mem.putByte(op + Abi.OFF_FAULT_FIRST, (byte) (faultFirst ? 1 : 0));
        Mem.putByte(op + Abi.OFF_FAULT_SECOND, (byte) (faultSecond ? 1 : 0));
        return this;
    }

    /** Sets the target CPU without the possible-CPU check (tests of the backends' checks). */
    OpVector rawCpu(int cpu) {
        this.cpu = cpu;
        return this;
    }

    /** Overwrites a field of an encoded op (tests of the backends' checks). */
    void rawPutInt(int index, int fieldOffset, int value) {
        Mem.putInt(ops + (long) index * Abi.CPU_OP_SIZE + fieldOffset, value);
    }

    // ---------------------------------------------------------------- execute support

    long opsAddress() {
        return ops;
    }

    /** Checks at execute: open, target set, every region still open. Allocation-free unless it throws. */
    void checkExecutable() {
        checkOpen();
        if (cpu == -1) {
            throw new IllegalStateException("the vector has no target CPU; start it with on(cpu)");
        }
        for (int i = 0; i < count; i++) {
            checkRegion(i, firstRegion[i], true);
            checkRegion(i, secondRegion[i], false);
        }
    }

    private void checkRegion(int i, Region r, boolean first) {
        if (r != null && !r.isOpen()) {
            OpType t = opType(i);
            throw new IllegalStateException("op " + i + " (" + t.abiName() + ") operand "
                    + (first ? t.firstOperandName() : t.secondOperandName()) + ": " + r.describe()
                    + " was closed after the op was added; refusing to execute");
        }
    }

    private void checkOpen() {
        if (block.isFreed()) {
            throw new IllegalStateException("this OpVector is closed");
        }
    }

    // ---------------------------------------------------------------- reading back (recorders, messages)

    private long opAt(int i) {
        if (i < 0 || i >= count) {
            throw new IndexOutOfBoundsException("op index " + i + " is not in 0.." + (count - 1));
        }
        return ops + (long) i * Abi.CPU_OP_SIZE;
    }

    /**
     * @param i the op index, 0..{@link #size()}-1
     * @return the type of op {@code i}
     * @throws IndexOutOfBoundsException when {@code i} is not 0..{@link #size()}-1
     */
    public OpType opType(int i) {
        return OpType.of(Mem.getInt(opAt(i) + Abi.OFF_OP));
    }

    /**
     * @param i the op index, 0..{@link #size()}-1
     * @return the {@code len} of op {@code i}: bytes compared or copied (0..4096), or the add's width (1, 2, 4 or 8)
     * @throws IndexOutOfBoundsException when {@code i} is not 0..{@link #size()}-1
     */
    public int length(int i) {
        return Mem.getInt(opAt(i) + Abi.OFF_LEN);
    }

    /**
     * @param i the op index, 0..{@link #size()}-1
     * @return a, dst or p of op {@code i} (an address)
     * @throws IndexOutOfBoundsException when {@code i} is not 0..{@link #size()}-1
     */
    public long firstAddress(int i) {
        return Mem.getLong(opAt(i) + Abi.OFF_FIRST);
    }

    /**
     * @param i the op index, 0..{@link #size()}-1
     * @return b or src of op {@code i} (an address), or the count of an add
     * @throws IndexOutOfBoundsException when {@code i} is not 0..{@link #size()}-1
     */
    public long secondField(int i) {
        return Mem.getLong(opAt(i) + Abi.OFF_SECOND);
    }

    /**
     * @param i the op index, 0..{@link #size()}-1
     * @return expect_fault_a / _dst / _p of op {@code i}
     * @throws IndexOutOfBoundsException when {@code i} is not 0..{@link #size()}-1
     */
    public boolean expectFaultFirst(int i) {
        return Mem.getByte(opAt(i) + Abi.OFF_FAULT_FIRST) != 0;
    }

    /**
     * @param i the op index, 0..{@link #size()}-1
     * @return expect_fault_b / _src of op {@code i} (always false for an add)
     * @throws IndexOutOfBoundsException when {@code i} is not 0..{@link #size()}-1
     */
    public boolean expectFaultSecond(int i) {
        return Mem.getByte(opAt(i) + Abi.OFF_FAULT_SECOND) != 0;
    }

    /**
     * @param i the op index, 0..{@link #size()}-1
     * @return the region operand a, dst or p of op {@code i} lies in (a {@link Slot} of a
     *         {@link PerCpuArena}, a {@link PageRegion}), or null for an op added without one
     * @throws IndexOutOfBoundsException when {@code i} is not 0..{@link #size()}-1
     */
    public Region firstRegion(int i) {
        opAt(i);
        return firstRegion[i];
    }

    /**
     * @param i the op index, 0..{@link #size()}-1
     * @return the region operand b or src of op {@code i} lies in, or null when it is an
     *         immediate ({@link #secondIsImmediate(int)}), an add's count, or was added without one
     * @throws IndexOutOfBoundsException when {@code i} is not 0..{@link #size()}-1
     */
    public Region secondRegion(int i) {
        opAt(i);
        return secondRegion[i];
    }

    /**
     * Copies the immediate of op {@code i} (the value a compare expects or a store writes, as
     * the vector holds it in its scratch memory) for recorders; allocates nothing.
     *
     * @param i   the op index, 0..{@link #size()}-1
     * @param dst where to copy to
     * @param at  index in {@code dst} of the first byte
     * @param max copy at most this many bytes (the op's {@link #length(int)} is the whole value)
     * @return the number of bytes copied: {@code min(length(i), max)}, or 0 when the second
     *         operand of op {@code i} is not an immediate
     * @throws IndexOutOfBoundsException when {@code i} is not 0..{@link #size()}-1, or {@code dst} has no room for
     *         the bytes to copy at {@code at}
     * @throws NullPointerException when there is something to copy and {@code dst} is null
     */
    public int copyImmediate(int i, byte[] dst, int at, int max) {
        if (!secondIsImmediate(i)) {
            return 0;
        }
        int n = Math.min(length(i), max);
        java.util.Objects.checkFromIndexSize(at, n, dst.length);
        Mem.copyToArray(secondField(i), dst, at, n);
        return n;
    }

    /**
     * @param i the op index, 0..{@link #size()}-1
     * @return true when the second operand of op {@code i} is the vector's own scratch (an immediate)
     * @throws IndexOutOfBoundsException when {@code i} is not 0..{@link #size()}-1
     */
    public boolean secondIsImmediate(int i) {
        long a = secondField(i);
        return !opType(i).isArithmetic() && a >= scratch && a < scratch + SCRATCH_BYTES;
    }

    /** @return a one-line decoding of the vector, e.g. for error messages (allocates) */
    public String describe() {
        StringBuilder sb = new StringBuilder("cpu ").append(cpu).append(", ").append(count).append(" ops");
        for (int i = 0; i < count; i++) {
            int code = Mem.getInt(opAt(i) + Abi.OFF_OP);
            sb.append(i == 0 ? ": " : "; ").append('[').append(i).append("] ");
            if (code < 0 || code >= OpType.COUNT) { // only raw test vectors get here
                sb.append("op=").append(code).append(" len=").append(length(i));
                continue;
            }
            OpType t = OpType.of(code);
            sb.append(t.abiName())
                    .append(" len=").append(length(i)).append(' ').append(t.firstOperandName()).append("=0x")
                    .append(Long.toHexString(firstAddress(i)));
            if (expectFaultFirst(i)) {
                sb.append("(expect_fault)");
            }
            if (t.isArithmetic()) {
                sb.append(" count=").append(secondField(i));
            } else {
                sb.append(' ').append(t.secondOperandName()).append("=0x").append(Long.toHexString(secondField(i)));
                if (secondIsImmediate(i)) {
                    sb.append("(immediate)");
                }
                if (expectFaultSecond(i)) {
                    sb.append("(expect_fault)");
                }
            }
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return "OpVector[" + (block.isFreed() ? "closed" : describe()) + "]";
    }

    /** Frees the native memory; idempotent. */
    @Override
    public void close() {
        owner.release(block);
    }
}
