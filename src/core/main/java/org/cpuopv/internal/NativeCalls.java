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
    public static final int ABI_VERSION = 3;

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

    /** @return the CPU the thread runs on (rseq's {@code cpu_id}, else {@code sched_getcpu()}) or {@code -errno} */
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

    // ---- the per-CPU operations of cpuopv_rseq.h: rseq, cpu_opv after bounded aborts ----

    /** Answer of a per-CPU operation: its comparison failed (full, empty, busy); nothing changed. */
    public static final int PC_FAILED = -1;
    /** Answer (with {@link #PC_NO_SYSCALL} only): the kernel aborted the attempt; nothing changed. */
    public static final int PC_ABORTED = -2;
    /** Answer: the operation wanted another CPU and could not go there. */
    public static final int PC_WRONG_CPU = -3;
    /** Answer: neither rseq nor cpu_opv is usable. */
    public static final int PC_UNAVAILABLE = -4;
    /** Answers at or below this are {@code -1000 - errno}. */
    public static final int PC_ERRNO_BASE = -1000;
    /** Answer (with {@link #PC_NO_SYSCALL} only): no rseq, or aborts are injected; nothing changed. */
    public static final int PC_SLOW = -5;
    /** Flag: never use cpu_opv for this call (the rseq backend). */
    public static final int PC_NO_CPU_OPV = 1;
    /**
     * Flag: one rseq attempt and no system call (for critical FFM downcalls, which must not
     * block); an answer below {@link #PC_FAILED} then means: nothing changed, call again
     * without the flag.
     */
    public static final int PC_NO_SYSCALL = 2;
    /** Flag of the call after a {@link #PC_NO_SYSCALL} one that answered {@link #PC_ABORTED}: it counts. */
    public static final int PC_AFTER_ABORT = 4;

    /** @return 0 when glibc registered rseq for every thread, else ENOSYS (glibc too old) or ENOTSUP (none) */
    public static native int rseqStatus();

    /** word(cpu) += delta; @return the CPU or an answer above */
    public static native int pcAdd(long word0, long stride, long delta, int want, int flags);

    /** if word(cpu) == expect: word(cpu) = value */
    public static native int pcCmpeqStore(long word0, long stride, long expect, long value, int want, int flags);

    /** node.next = head(cpu), head(cpu) = node (absolute addresses) */
    public static native int pcListPush(long head0, long stride, long node, long nextOffset, int want, int flags);

    /** *out = head(cpu), head(cpu) = head.next */
    public static native int pcListPop(long head0, long stride, long nextOffset, int want, int flags, long out);

    /** [count][values]: push value */
    public static native int pcStackPush(long slot0, long stride, long capacity, long value, int want, int flags);

    /** [count][values]: pop into *out */
    public static native int pcStackPop(long slot0, long stride, int want, int flags, long out);

    /** [count][entries [length][data]]: push len bytes from src */
    public static native int pcRecordPush(long slot0, long stride, long capacity, long entrySize, long src,
            long len, int want, int flags);

    /** pop the top record into dst, its length into *outLen */
    public static native int pcRecordPop(long slot0, long stride, long entrySize, long dst, int want, int flags,
            long outLen);

    /** [head]..[tail at tailOffset]: *out = head, head + 1 */
    public static native int pcReserve(long slot0, long stride, long tailOffset, long capacity, int want, int flags,
            long out);

    /** Tests: every later operation counts its first n attempts as aborted (0: off). */
    public static native void pcInjectAborts(int n);

    /** Aborts in a row before the cpu_opv slow path. */
    public static native void pcSetMaxAborts(int n);

    /** Fills aborts, injected, slow-path runs, migrations (process-wide). */
    public static native void pcStats(long[] out);
}
