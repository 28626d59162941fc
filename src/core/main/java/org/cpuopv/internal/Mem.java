/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.internal;

/**
 * Raw access to native memory by absolute address, for the library's own blocks. Every caller
 * checks bounds first; the accessors check nothing.
 *
 * <p>This is the Java 17 class: {@code sun.misc.Unsafe} (module {@code jdk.unsupported}, no
 * flags needed). The multi-release jar replaces it on Java 22 and later with one that uses the
 * FFM API when the module has native access, since JDK 24 warns on Unsafe's memory methods.
 * Plain accessors are unaligned-safe; the volatile, release and atomic ones need natural
 * alignment.
 */
public final class Mem {
    private static final sun.misc.Unsafe U = TheUnsafe.get();
    private static final long BYTES = sun.misc.Unsafe.ARRAY_BYTE_BASE_OFFSET;

    private Mem() {
    }

    /** @return how memory is accessed: "Unsafe" or "FFM" */
    public static String mechanism() {
        return "Unsafe";
    }

    /** @return the address of {@code bytes} bytes from the C allocator (not zeroed); never 0 */
    public static long allocate(long bytes) {
        return U.allocateMemory(bytes);
    }

    /** Frees what {@link #allocate} returned. */
    public static void free(long address) {
        U.freeMemory(address);
    }

    public static void setMemory(long address, long bytes, byte value) {
        U.setMemory(address, bytes, value);
    }

    /** Copies {@code bytes} from {@code src} to {@code dst} (addresses; the ranges do not overlap). */
    public static void copy(long src, long dst, long bytes) {
        U.copyMemory(src, dst, bytes);
    }

    /** Copies {@code bytes} from address {@code src} into {@code dst[at..]}. */
    public static void copyToArray(long src, byte[] dst, int at, long bytes) {
        U.copyMemory(null, src, dst, BYTES + at, bytes);
    }

    /** Copies {@code bytes} from {@code src[from..]} to address {@code dst}. */
    public static void copyFromArray(byte[] src, int from, long dst, long bytes) {
        U.copyMemory(src, BYTES + from, null, dst, bytes);
    }

    public static byte getByte(long a) {
        return U.getByte(a);
    }

    public static void putByte(long a, byte v) {
        U.putByte(a, v);
    }

    public static short getShort(long a) {
        return U.getShort(a);
    }

    public static void putShort(long a, short v) {
        U.putShort(a, v);
    }

    public static int getInt(long a) {
        return U.getInt(a);
    }

    public static void putInt(long a, int v) {
        U.putInt(a, v);
    }

    public static long getLong(long a) {
        return U.getLong(a);
    }

    public static void putLong(long a, long v) {
        U.putLong(a, v);
    }

    public static int getIntVolatile(long a) {
        return U.getIntVolatile(null, a);
    }

    public static void putIntVolatile(long a, int v) {
        U.putIntVolatile(null, a, v);
    }

    public static void putIntRelease(long a, int v) {
        U.putOrderedInt(null, a, v);
    }

    public static boolean casInt(long a, int expected, int v) {
        return U.compareAndSwapInt(null, a, expected, v);
    }

    public static int getAndAddInt(long a, int delta) {
        return U.getAndAddInt(null, a, delta);
    }

    public static long getLongVolatile(long a) {
        return U.getLongVolatile(null, a);
    }

    public static void putLongVolatile(long a, long v) {
        U.putLongVolatile(null, a, v);
    }

    public static void putLongRelease(long a, long v) {
        U.putOrderedLong(null, a, v);
    }

    public static boolean casLong(long a, long expected, long v) {
        return U.compareAndSwapLong(null, a, expected, v);
    }

    public static long getAndAddLong(long a, long delta) {
        return U.getAndAddLong(null, a, delta);
    }
}
