/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.internal;

/**
 * The per-CPU operations the structures of {@code org.cpuopv.percpu} are made of (the nine of
 * {@code native/include/cpuopv_rseq.h}), each one call: on the thread's current CPU
 * ({@code want} = -1) or on CPU {@code want}. Per-CPU data lives at {@code base + cpu * stride}.
 *
 * <p>Each answers the CPU it was done on (&gt;= 0), {@link NativeCalls#PC_FAILED} (its comparison
 * failed: full, empty, busy; nothing changed), or an error ({@link #check}).
 */
public abstract class PerCpuOps {
    /** Kernel backend: rseq, cpu_opv after bounded aborts and for other CPUs. */
    public static final PerCpuOps KERNEL = Downcalls.perCpuOps(0);
    /** Rseq backend: rseq only; another CPU by moving the thread there and back. */
    public static final PerCpuOps RSEQ = Downcalls.perCpuOps(NativeCalls.PC_NO_CPU_OPV);

    /**
     * @return how the operations reach the native library, and why that way: "FFM ..." (critical
     *         downcalls, Java 22+) or "JNI ..."
     */
    public static String mechanism() {
        return Downcalls.mechanism();
    }

    public abstract int add(long word0, long stride, long delta, int want);

    public abstract int cmpeqStore(long word0, long stride, long expect, long value, int want);

    public abstract int listPush(long head0, long stride, long node, long nextOffset, int want);

    public abstract int listPop(long head0, long stride, long nextOffset, int want, long out);

    public abstract int stackPush(long slot0, long stride, long capacity, long value, int want);

    public abstract int stackPop(long slot0, long stride, int want, long out);

    public abstract int recordPush(long slot0, long stride, long capacity, long entrySize, long src, long len,
            int want);

    public abstract int recordPop(long slot0, long stride, long entrySize, long dst, int want, long outLen);

    public abstract int reserve(long slot0, long stride, long tailOffset, long capacity, int want, long out);

    /**
     * @return {@code r} when it is a CPU or {@link NativeCalls#PC_FAILED}
     * @throws IllegalArgumentException EINVAL (a CPU this thread may not run on, or offline)
     * @throws IllegalStateException    any other error, naming the errno
     */
    public static int check(int r, String what) {
        if (r >= NativeCalls.PC_FAILED) {
            return r;
        }
        if (r <= NativeCalls.PC_ERRNO_BASE) {
            int errno = NativeCalls.PC_ERRNO_BASE - r;
            if (errno == Errno.EINVAL) {
                throw new IllegalArgumentException(what + ": EINVAL: the CPU is not one this thread may run on"
                        + " (its affinity mask or cpuset), or it is offline");
            }
            throw new IllegalStateException(what + ": " + Errno.name(errno));
        }
        throw new IllegalStateException(what + ": answered " + r
                + (r == NativeCalls.PC_UNAVAILABLE ? " (neither rseq nor cpu_opv is usable)" : ""));
    }

    /** The native implementation: one JNI call per operation. */
    static final class JniOps extends PerCpuOps {
        private final int flags;

        JniOps(int flags) {
            this.flags = flags;
        }

        @Override
        public int add(long word0, long stride, long delta, int want) {
            return NativeCalls.pcAdd(word0, stride, delta, want, flags);
        }

        @Override
        public int cmpeqStore(long word0, long stride, long expect, long value, int want) {
            return NativeCalls.pcCmpeqStore(word0, stride, expect, value, want, flags);
        }

        @Override
        public int listPush(long head0, long stride, long node, long nextOffset, int want) {
            return NativeCalls.pcListPush(head0, stride, node, nextOffset, want, flags);
        }

        @Override
        public int listPop(long head0, long stride, long nextOffset, int want, long out) {
            return NativeCalls.pcListPop(head0, stride, nextOffset, want, flags, out);
        }

        @Override
        public int stackPush(long slot0, long stride, long capacity, long value, int want) {
            return NativeCalls.pcStackPush(slot0, stride, capacity, value, want, flags);
        }

        @Override
        public int stackPop(long slot0, long stride, int want, long out) {
            return NativeCalls.pcStackPop(slot0, stride, want, flags, out);
        }

        @Override
        public int recordPush(long slot0, long stride, long capacity, long entrySize, long src, long len,
                int want) {
            return NativeCalls.pcRecordPush(slot0, stride, capacity, entrySize, src, len, want, flags);
        }

        @Override
        public int recordPop(long slot0, long stride, long entrySize, long dst, int want, long outLen) {
            return NativeCalls.pcRecordPop(slot0, stride, entrySize, dst, want, flags, outLen);
        }

        @Override
        public int reserve(long slot0, long stride, long tailOffset, long capacity, int want, long out) {
            return NativeCalls.pcReserve(slot0, stride, tailOffset, capacity, want, flags, out);
        }
    }
}
