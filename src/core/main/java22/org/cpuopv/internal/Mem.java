/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.internal;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * Raw access to native memory by absolute address, on Java 22 and later (the multi-release
 * jar's {@code META-INF/versions/22}). With native access granted to this module from the start
 * ({@code --enable-native-access=org.cpuopv}, or {@code ALL-UNNAMED} on the class path;
 * {@link NativeAccess}) it goes
 * through the FFM API: one segment spanning the address space, var handles for the ordered and
 * atomic accesses, the C allocator through downcalls; so nothing calls {@code sun.misc.Unsafe},
 * on whose memory methods JDK 24 and later print a warning. Without native access it is the
 * Java 17 class's Unsafe, as before (the FFM way would need the restricted methods that are
 * refused or warned about then). Every caller checks bounds first; the accessors check
 * nothing beyond the segment's.
 */
public final class Mem {
    private static final long BYTES = sun.misc.Unsafe.ARRAY_BYTE_BASE_OFFSET;
    private static final VarHandle INT = JAVA_INT.varHandle();
    private static final VarHandle LONG = JAVA_LONG.varHandle();
    /** Every address, as offsets into one segment; null: Unsafe. */
    private static final MemorySegment ALL;
    private static final MethodHandle MALLOC;
    private static final MethodHandle FREE;
    private static final boolean FFM;
    private static final sun.misc.Unsafe U;

    static {
        MemorySegment all = null;
        MethodHandle malloc = null;
        MethodHandle free = null;
        if (NativeAccess.granted()) {
            try {
                all = everything();
                malloc = libc("malloc");
                free = libc("free");
            } catch (RuntimeException | LinkageError e) { // no libc symbol, a linker refusal: Unsafe
                all = null;
            }
        }
        ALL = all;
        MALLOC = malloc;
        FREE = free;
        FFM = all != null;
        U = FFM ? null : TheUnsafe.get();
    }

    private Mem() {
    }

    @SuppressWarnings("restricted")
    private static MemorySegment everything() {
        return MemorySegment.NULL.reinterpret(Long.MAX_VALUE);
    }

    /**
     * {@code malloc} is (size_t) -> void *, {@code free} (void *) -> void: both as longs, which
     * is how a 64-bit ABI (all this library supports) passes a size_t and a pointer.
     */
    @SuppressWarnings("restricted")
    private static MethodHandle libc(String name) {
        Linker linker = Linker.nativeLinker();
        MemorySegment fn = linker.defaultLookup().find(name).orElseThrow();
        FunctionDescriptor fd = name.equals("free") ? FunctionDescriptor.ofVoid(JAVA_LONG)
                : FunctionDescriptor.of(JAVA_LONG, JAVA_LONG);
        return linker.downcallHandle(fn, fd);
    }

    /** @return how memory is accessed: "Unsafe" or "FFM" */
    public static String mechanism() {
        return FFM ? "FFM" : "Unsafe";
    }

    /** @return the address of {@code bytes} bytes from the C allocator (not zeroed); never 0 */
    public static long allocate(long bytes) {
        if (!FFM) {
            return U.allocateMemory(bytes);
        }
        long a;
        try {
            a = (long) MALLOC.invokeExact(Math.max(1L, bytes));
        } catch (Throwable t) {
            throw new IllegalStateException("malloc", t);
        }
        if (a == 0) {
            throw new OutOfMemoryError("malloc(" + bytes + ") failed");
        }
        return a;
    }

    /** Frees what {@link #allocate} returned. */
    public static void free(long address) {
        if (!FFM) {
            U.freeMemory(address);
            return;
        }
        try {
            FREE.invokeExact(address);
        } catch (Throwable t) {
            throw new IllegalStateException("free", t);
        }
    }

    public static void setMemory(long address, long bytes, byte value) {
        if (FFM) {
            ALL.asSlice(address, bytes).fill(value);
        } else {
            U.setMemory(address, bytes, value);
        }
    }

    /** Copies {@code bytes} from {@code src} to {@code dst} (addresses; the ranges do not overlap). */
    public static void copy(long src, long dst, long bytes) {
        if (FFM) {
            MemorySegment.copy(ALL, src, ALL, dst, bytes);
        } else {
            U.copyMemory(src, dst, bytes);
        }
    }

    /** Copies {@code bytes} from address {@code src} into {@code dst[at..]}. */
    public static void copyToArray(long src, byte[] dst, int at, long bytes) {
        if (FFM) {
            MemorySegment.copy(ALL, JAVA_BYTE, src, dst, at, Math.toIntExact(bytes));
        } else {
            U.copyMemory(null, src, dst, BYTES + at, bytes);
        }
    }

    /** Copies {@code bytes} from {@code src[from..]} to address {@code dst}. */
    public static void copyFromArray(byte[] src, int from, long dst, long bytes) {
        if (FFM) {
            MemorySegment.copy(src, from, ALL, JAVA_BYTE, dst, Math.toIntExact(bytes));
        } else {
            U.copyMemory(src, BYTES + from, null, dst, bytes);
        }
    }

    public static byte getByte(long a) {
        return FFM ? ALL.get(JAVA_BYTE, a) : U.getByte(a);
    }

    public static void putByte(long a, byte v) {
        if (FFM) {
            ALL.set(JAVA_BYTE, a, v);
        } else {
            U.putByte(a, v);
        }
    }

    public static short getShort(long a) {
        return FFM ? ALL.get(JAVA_SHORT_UNALIGNED, a) : U.getShort(a);
    }

    public static void putShort(long a, short v) {
        if (FFM) {
            ALL.set(JAVA_SHORT_UNALIGNED, a, v);
        } else {
            U.putShort(a, v);
        }
    }

    public static int getInt(long a) {
        return FFM ? ALL.get(JAVA_INT_UNALIGNED, a) : U.getInt(a);
    }

    public static void putInt(long a, int v) {
        if (FFM) {
            ALL.set(JAVA_INT_UNALIGNED, a, v);
        } else {
            U.putInt(a, v);
        }
    }

    public static long getLong(long a) {
        return FFM ? ALL.get(JAVA_LONG_UNALIGNED, a) : U.getLong(a);
    }

    public static void putLong(long a, long v) {
        if (FFM) {
            ALL.set(JAVA_LONG_UNALIGNED, a, v);
        } else {
            U.putLong(a, v);
        }
    }

    public static int getIntVolatile(long a) {
        return FFM ? (int) INT.getVolatile(ALL, a) : U.getIntVolatile(null, a);
    }

    public static void putIntVolatile(long a, int v) {
        if (FFM) {
            INT.setVolatile(ALL, a, v);
        } else {
            U.putIntVolatile(null, a, v);
        }
    }

    public static void putIntRelease(long a, int v) {
        if (FFM) {
            INT.setRelease(ALL, a, v);
        } else {
            U.putOrderedInt(null, a, v);
        }
    }

    public static boolean casInt(long a, int expected, int v) {
        return FFM ? (boolean) INT.compareAndSet(ALL, a, expected, v) : U.compareAndSwapInt(null, a, expected, v);
    }

    public static int getAndAddInt(long a, int delta) {
        return FFM ? (int) INT.getAndAdd(ALL, a, delta) : U.getAndAddInt(null, a, delta);
    }

    public static long getLongVolatile(long a) {
        return FFM ? (long) LONG.getVolatile(ALL, a) : U.getLongVolatile(null, a);
    }

    public static void putLongVolatile(long a, long v) {
        if (FFM) {
            LONG.setVolatile(ALL, a, v);
        } else {
            U.putLongVolatile(null, a, v);
        }
    }

    public static void putLongRelease(long a, long v) {
        if (FFM) {
            LONG.setRelease(ALL, a, v);
        } else {
            U.putOrderedLong(null, a, v);
        }
    }

    public static boolean casLong(long a, long expected, long v) {
        return FFM ? (boolean) LONG.compareAndSet(ALL, a, expected, v) : U.compareAndSwapLong(null, a, expected, v);
    }

    public static long getAndAddLong(long a, long delta) {
        return FFM ? (long) LONG.getAndAdd(ALL, a, delta) : U.getAndAddLong(null, a, delta);
    }
}
