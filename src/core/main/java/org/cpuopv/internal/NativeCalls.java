/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.internal;

/**
 * The JNI functions of libcpuopv, registered by its {@code JNI_OnLoad}.
 *
 * <p>Thin and without policy: each returns what the system answered, a value or a negative
 * errno. Only call these after {@link NativeLibrary#ensureLoaded()} succeeded.
 */
public final class NativeCalls {
    /**
     * Version of the contract between this class and the C library; the C side returns the
     * value it was compiled with (it sees this constant through the {@code javac -h} header),
     * so a stale library is detected at load time. Bump on any change of a signature below.
     */
    public static final int ABI_VERSION = 1;

    private NativeCalls() {
    }

    /** @return the {@link #ABI_VERSION} the library was built with */
    public static native int abiVersion();

    /**
     * {@code cpu_opv(ops, count, cpu, flags)} through the ioctl.
     *
     * @return the system call's non-negative result, or {@code -errno}
     */
    public static native int exec(long ops, int count, int cpu, int flags);

    /**
     * Runs the same vector {@code iterations} times in C (the baseline of the benchmarks).
     *
     * @return elapsed nanoseconds, or {@code -errno} of the first failing call
     */
    public static native long execLoop(long ops, int count, int cpu, int flags, int iterations);

    /** @return 0 when the device opens, else {@code -errno} (ENOSYS: no device or no driver) */
    public static native int deviceStatus();

    /** @return errno of the last failed open of the device, unmapped (0: none failed) */
    public static native int deviceOpenErrno();

    /** @return {@code sched_getcpu()} or {@code -errno} */
    public static native int currentCpu();

    /** @return the address of zeroed, page-aligned anonymous memory, or {@code -errno} */
    public static native long mapMemory(long bytes, boolean accessible);

    /** @return 0 or {@code -errno} */
    public static native int unmapMemory(long address, long bytes);

    /** Sets the calling thread's affinity to the CPUs whose bits are set; 0 or {@code -errno}. */
    public static native int setAffinity(long[] mask);

    /** Fills {@code mask} with the calling thread's affinity; 0 or {@code -errno}. */
    public static native int getAffinity(long[] mask);

    /** @return 1 when the calling thread's affinity mask holds {@code cpu}, 0 when not, or {@code -errno} */
    public static native int cpuAllowed(int cpu);

    /** @return the C library's message for an errno value */
    public static native String strerror(int errno);

    /** @return {@code name=value;} pairs: offsets, sizes and constants of the UAPI header */
    public static native String abiFacts();
}
