/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.internal;

import java.lang.invoke.VarHandle;
import java.util.Arrays;

import org.cpuopv.Backend;
import org.cpuopv.CpuSet;
import org.cpuopv.OpType;

/**
 * Runs vectors in process, with the kernel module's validation, order of checks and results,
 * each under the lock of its target CPU.
 *
 * <p>Memory model: an operand is "mapped" when it lies in a live block allocated by this
 * engine (arena or vector memory); anything else faults (EFAULT, or EAGAIN when
 * expect-fault is set), as unmapped memory does in the kernel. Freeing a block takes every
 * CPU lock, so a vector never runs on memory being freed.
 *
 * <p>Guarantee: atomic only against other vectors of this engine (one per {@link org.cpuopv.CpuOpv}),
 * not against plain Java accesses, other handles or other processes.
 */
public final class EmulatedEngine implements Engine {
    private final CpuSet possible;
    private final Object[] locks;           // index = cpu
    private volatile NativeBlock[] live = new NativeBlock[0];
    private final boolean nativeCpu;        // sched_getcpu / affinity available
    private final Backend kind;
    private final PerCpuOps ops;

    /** The emulated backend: vectors and the structures' operations under per-CPU locks. */
    public EmulatedEngine(CpuSet possible) {
        this(possible, Backend.EMULATED);
    }

    /**
     * @param kind EMULATED, or RSEQ: vectors under the per-CPU locks, the structures' operations
     *             in rseq (atomic against everything on that CPU, but not against these vectors)
     */
    public EmulatedEngine(CpuSet possible, Backend kind) {
        this.possible = possible;
        this.kind = kind;
        this.ops = kind == Backend.RSEQ ? PerCpuOps.RSEQ : new EmulatedOps(this);
        this.locks = new Object[possible.max() + 1];
        for (int i = 0; i < locks.length; i++) {
            locks[i] = new Object();
        }
        this.nativeCpu = NativeLibrary.isLoaded();
    }

    @Override
    public Backend kind() {
        return kind;
    }

    @Override
    public PerCpuOps ops() {
        return ops;
    }

    /** @return the lock of {@code cpu} (a possible CPU) */
    Object lock(int cpu) {
        return locks[cpu];
    }

    @Override
    public int currentCpu() {
        if (nativeCpu) {
            int cpu = NativeCalls.currentCpu();
            if (cpu >= 0) {
                return cpu;
            }
        }
        // Without the native library (non-Linux): a stable stand-in per thread, documented in CpuOpv.
        return possible.get((int) (Thread.currentThread().getId() % possible.size()));
    }

    @Override
    public NativeBlock allocate(long bytes) {
        NativeBlock b = NativeBlock.allocated(bytes);
        synchronized (this) {
            NativeBlock[] cur = live;
            NativeBlock[] next = Arrays.copyOf(cur, cur.length + 1);
            next[cur.length] = b;
            live = next;
        }
        return b;
    }

    @Override
    public void release(NativeBlock block) {
        synchronized (this) {
            NativeBlock[] cur = live;
            int n = 0;
            NativeBlock[] next = new NativeBlock[cur.length];
            for (NativeBlock b : cur) {
                if (b != block) {
                    next[n++] = b;
                }
            }
            if (n == cur.length) {
                return; // not ours or already released
            }
            live = Arrays.copyOf(next, n);
        }
        lockAllAndFree(block, 0);
    }

    private void lockAllAndFree(NativeBlock block, int i) {
        if (i == locks.length) {
            block.free();
            return;
        }
        synchronized (locks[i]) {
            lockAllAndFree(block, i + 1);
        }
    }

    private boolean mapped(long addr, long len) {
        for (NativeBlock b : live) {
            if (b.contains(addr, len)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public int exec(long ops, int count, int cpu, int flags) {
        if (flags != 0) {
            if (flags == Abi.NR_FLAG) {
                return OpType.COUNT;
            }
            if (flags == Abi.VEC_LEN_MAX_FLAG) {
                return Abi.VEC_LEN_MAX;
            }
            return -Errno.EINVAL;
        }
        if (count < 0 || count > Abi.VEC_LEN_MAX) {
            return -Errno.EINVAL;
        }
        if (count > 0 && !mapped(ops, (long) count * Abi.CPU_OP_SIZE)) {
            return -Errno.EFAULT;
        }
        long sum = 0;
        for (int i = 0; i < count; i++) {
            long op = ops + (long) i * Abi.CPU_OP_SIZE;
            int type = Mem.getInt(op + Abi.OFF_OP);
            long len = Mem.getInt(op + Abi.OFF_LEN) & 0xffffffffL;
            if (type < 0 || type >= OpType.COUNT) {
                return -Errno.EINVAL;
            }
            boolean arith = type >= OpType.ADD.code();
            if (arith ? !(len == 1 || len == 2 || len == 4 || len == 8) : len > Abi.DATA_LEN_MAX) {
                return -Errno.EINVAL;
            }
            sum += len;
            if (sum > Abi.VEC_DATA_LEN_MAX) {
                return -Errno.EINVAL;
            }
            if (!userRange(Mem.getLong(op + Abi.OFF_FIRST), len)
                    || (!arith && !userRange(Mem.getLong(op + Abi.OFF_SECOND), len))) {
                return -Errno.EINVAL;
            }
        }
        if (cpu < 0 || !possible.contains(cpu)) {
            return -Errno.EINVAL;
        }
        if (nativeCpu && NativeCalls.cpuAllowed(cpu) == 0) {
            return -Errno.EINVAL;
        }
        synchronized (locks[cpu]) {
            int fault = checkAccess(ops, count);
            if (fault != 0) {
                return fault;
            }
            for (int i = 0; i < count; i++) {
                if (!run(ops + (long) i * Abi.CPU_OP_SIZE)) {
                    return i + 1;
                }
            }
        }
        return 0;
    }

    private static boolean userRange(long addr, long len) {
        // unsigned: addr < TASK_SIZE and addr + len <= TASK_SIZE
        return Long.compareUnsigned(addr, Abi.TASK_SIZE) < 0 && len <= Abi.TASK_SIZE - addr;
    }

    /** @return 0, -EFAULT or -EAGAIN for the first operand (in op order, first before second) that faults */
    private int checkAccess(long ops, int count) {
        for (int i = 0; i < count; i++) {
            long op = ops + (long) i * Abi.CPU_OP_SIZE;
            int type = Mem.getInt(op + Abi.OFF_OP);
            long len = Mem.getInt(op + Abi.OFF_LEN) & 0xffffffffL;
            if (len == 0) {
                continue; // touches no memory
            }
            if (!mapped(Mem.getLong(op + Abi.OFF_FIRST), len)) {
                return Mem.getByte(op + Abi.OFF_FAULT_FIRST) != 0 ? -Errno.EAGAIN : -Errno.EFAULT;
            }
            if (type < OpType.ADD.code() && !mapped(Mem.getLong(op + Abi.OFF_SECOND), len)) {
                return Mem.getByte(op + Abi.OFF_FAULT_SECOND) != 0 ? -Errno.EAGAIN : -Errno.EFAULT;
            }
        }
        return 0;
    }

    /** Runs one validated op; false when it is a compare that stops the vector. */
    private static boolean run(long op) {
        int type = Mem.getInt(op + Abi.OFF_OP);
        int len = Mem.getInt(op + Abi.OFF_LEN);
        long first = Mem.getLong(op + Abi.OFF_FIRST);
        long second = Mem.getLong(op + Abi.OFF_SECOND);
        switch (type) {
            case 0:
                return equal(first, second, len);
            case 1:
                return !equal(first, second, len);
            case 3:
                VarHandle.releaseFence();
                copy(first, second, len);
                return true;
            case 2:
                copy(first, second, len);
                return true;
            case 5:
                VarHandle.releaseFence();
                add(first, second, len);
                return true;
            case 4:
                add(first, second, len);
                return true;
            default:
                throw new AssertionError(type);
        }
    }

    private static boolean aligned(long a, long b, int len) {
        return ((a | b) & (len - 1)) == 0;
    }

    /** Single loads for aligned 1/2/4/8-byte operands, bytes otherwise. */
    private static boolean equal(long a, long b, int len) {
        if (aligned(a, b, len)) {
            switch (len) {
                case 8: return Mem.getLong(a) == Mem.getLong(b);
                case 4: return Mem.getInt(a) == Mem.getInt(b);
                case 2: return Mem.getShort(a) == Mem.getShort(b);
                case 1: return Mem.getByte(a) == Mem.getByte(b);
                default: break;
            }
        }
        for (int i = 0; i < len; i++) {
            if (Mem.getByte(a + i) != Mem.getByte(b + i)) {
                return false;
            }
        }
        return true;
    }

    /** Single load and store for aligned 1/2/4/8-byte operands, a byte copy otherwise. */
    private static void copy(long dst, long src, int len) {
        if (aligned(dst, src, len)) {
            switch (len) {
                case 8: Mem.putLong(dst, Mem.getLong(src)); return;
                case 4: Mem.putInt(dst, Mem.getInt(src)); return;
                case 2: Mem.putShort(dst, Mem.getShort(src)); return;
                case 1: Mem.putByte(dst, Mem.getByte(src)); return;
                default: break;
            }
        }
        if (len > 0) {
            Mem.copy(src, dst, len);
        }
    }

    private static void add(long p, long count, int len) {
        switch (len) {
            case 8: Mem.putLong(p, Mem.getLong(p) + count); return;
            case 4: Mem.putInt(p, Mem.getInt(p) + (int) count); return;
            case 2: Mem.putShort(p, (short) (Mem.getShort(p) + (short) count)); return;
            case 1: Mem.putByte(p, (byte) (Mem.getByte(p) + (byte) count)); return;
            default: throw new AssertionError(len);
        }
    }
}
