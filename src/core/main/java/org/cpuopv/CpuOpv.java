/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.cpuopv.internal.NativeBlock;
import org.cpuopv.internal.Engine;
import org.cpuopv.internal.KernelEngine;
import org.cpuopv.internal.EmulatedEngine;
import org.cpuopv.internal.Abi;
import org.cpuopv.internal.Errno;

/**
 * A handle to cpu_opv: runs op vectors atomically on a chosen CPU, and owns the native
 * memory ({@link PerCpuArena}, {@link OpVector}) they operate on.
 *
 * <pre>{@code
 * try (CpuOpv opv = CpuOpv.open(Backend.AUTO);
 *      PerCpuArena counters = opv.allocateArena(8);
 *      OpVector v = opv.newVector()) {
 *     int cpu = opv.currentCpu();
 *     v.on(cpu).addLong(counters.slot(cpu), 0, 1);
 *     Outcome o = opv.execute(v);               // Outcome.DONE
 * }
 * }</pre>
 *
 * <p><b>Guarantees.</b> With {@link Backend#KERNEL} a vector runs on its target CPU with
 * nothing else running there in between (the module's guarantee); with
 * {@link Backend#EMULATED} only against other vectors of the same handle. Both validate the
 * same way and return the same results (the system call's: see {@link Outcome}); errors are
 * {@link CpuOpvException}s carrying the errno and the decoded vector.
 *
 * <p><b>Costs.</b> {@link #execute} allocates nothing (on a reused vector, without a listener
 * it does not read the clock either); with the kernel backend it is one JNI call and one
 * ioctl. Thread-safe; vectors are per thread. Nothing is loaded or opened until
 * {@link #open} is called, and no static initializer of this library can fail.
 */
public final class CpuOpv implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("org.cpuopv");

    static {
        org.cpuopv.internal.Access.setOps(CpuOpv::ops);
    }

    private final Engine engine;
    private final CpuSet possible;
    private final ExecuteListener listener;
    private String reason = "requested";
    private final AtomicInteger ids = new AtomicInteger();
    private final List<NativeBlock> blocks = new ArrayList<>();
    private volatile boolean closed;

    private CpuOpv(Engine engine, CpuSet possible, ExecuteListener listener) {
        this.engine = engine;
        this.possible = possible;
        this.listener = listener;
    }

    /**
     * Opens a handle on the chosen backend.
     *
     * @param backend {@link Backend#KERNEL}, {@link Backend#RSEQ} or {@link Backend#EMULATED} to have exactly
     *                that one, or {@link Backend#AUTO}: the kernel's when {@code /dev/cpu_opv} works, else rseq
     *                when glibc registered it, else emulated ({@link #backendReason()} says which and why)
     * @return a new open handle; close it to free the memory of its arenas and vectors
     * @throws BackendUnavailableException for {@link Backend#KERNEL} when the native library or
     *         the device is unusable (the message says what to do); AUTO and EMULATED never throw it
     *         (nor does RSEQ when {@link #rseqUnavailabilityReason()} is null; otherwise it does)
     * @throws NullPointerException when {@code backend} is null
     */
    public static CpuOpv open(Backend backend) {
        return open(backend, null);
    }

    /**
     * Opens a handle whose every execute is reported to {@code listener} (null: none, unless
     * one is turned on from outside: {@link ExecuteListenerProvider}, e.g. the dump recorder).
     *
     * @param backend  which backend, as for {@link #open(Backend)}
     * @param listener called after every execute of the handle, on the executing thread; null for the
     *                 ambient one of an {@link ExecuteListenerProvider}, if any
     * @return a new open handle
     * @throws BackendUnavailableException as {@link #open(Backend)}
     * @throws NullPointerException when {@code backend} is null
     * @see #open(Backend)
     */
    public static CpuOpv open(Backend backend, ExecuteListener listener) {
        if (listener == null) {
            listener = ExecuteListenerProvider.ambient();
        }
        CpuSet possible = readCpuList("/sys/devices/system/cpu/possible");
        switch (backend) {
            case KERNEL:
                KernelCheck.require();
                return new CpuOpv(new KernelEngine(), possible, listener);
            case RSEQ: {
                String why = rseqUnavailabilityReason();
                if (why != null) {
                    throw new BackendUnavailableException("the rseq backend is unavailable: " + why, null);
                }
                return new CpuOpv(new EmulatedEngine(possible, Backend.RSEQ), possible, listener);
            }
            case EMULATED:
                return new CpuOpv(new EmulatedEngine(possible), possible, listener);
            case AUTO: {
                BackendUnavailableException why = KernelCheck.unavailabilityCause();
                CpuOpv opv;
                if (why == null) {
                    opv = new CpuOpv(new KernelEngine(), possible, listener);
                    opv.reason = "/dev/cpu_opv works";
                } else {
                    String noRseq = rseqUnavailabilityReason();
                    if (noRseq == null) {
                        opv = new CpuOpv(new EmulatedEngine(possible, Backend.RSEQ), possible, listener);
                        opv.reason = "the kernel backend is unavailable (" + why.getMessage()
                                + "); glibc registered rseq for every thread";
                    } else {
                        opv = new CpuOpv(new EmulatedEngine(possible), possible, listener);
                        opv.reason = "the kernel backend is unavailable (" + why.getMessage()
                                + ") and so is rseq (" + noRseq + ")";
                    }
                }
                LOG.log(System.Logger.Level.INFO, "cpu_opv: using the " + opv.backend() + " backend because "
                        + opv.reason);
                return opv;
            }
            default:
                throw new IllegalArgumentException("backend " + backend);
        }
    }

    /**
     * @return null when the {@link Backend#RSEQ} backend can be used (the native library loads and
     *         glibc registered an rseq area for every thread), else why not
     */
    public static String rseqUnavailabilityReason() {
        if (!org.cpuopv.internal.NativeLibrary.isLoaded()) {
            return "the native library does not load: " + org.cpuopv.internal.NativeLibrary.failure().getMessage();
        }
        int s = org.cpuopv.internal.NativeCalls.rseqStatus();
        if (s == 0) {
            return null;
        }
        return s == Errno.ENOSYS ? "glibc has no rseq support (__rseq_offset missing: glibc older than 2.35)"
                : "glibc registered no rseq area (__rseq_size is 0: GLIBC_TUNABLES=glibc.pthread.rseq=0,"
                + " a seccomp filter refusing rseq, or a kernel without it)";
    }

    /**
     * @return why this handle runs on {@link #backend()}: "requested" when that backend was asked
     *         for, else what {@link Backend#AUTO} found (the module, rseq, or neither and why)
     */
    public String backendReason() {
        return reason;
    }

    /**
     * How the structures of {@link org.cpuopv.percpu} call into the native library for their
     * own-CPU operations, and why that way. On Java 22 and later, from the jar (a multi-release
     * jar), with native access enabled for this module ({@code --enable-native-access=org.cpuopv},
     * or {@code ALL-UNNAMED} on the class path): "FFM (critical downcalls, ...)", a call without
     * a thread-state transition; otherwise "JNI (why not FFM)". The system property
     * {@code cpuopv.downcalls} ({@code auto}, {@code ffm}, {@code jni}) overrides the choice.
     * Both reach the same C functions and behave the same; only the cost differs
     * ({@code docs/benchmarks.md}). Decided once, on first use; loads the native library.
     *
     * @return "FFM (...)" or "JNI (...)"
     */
    public static String downcallMechanism() {
        return org.cpuopv.internal.PerCpuOps.mechanism();
    }

    /** @return the structures' per-CPU operations on this handle's backend (internal) */
    org.cpuopv.internal.PerCpuOps ops() {
        return engine.ops();
    }

    /** @return true when {@link Backend#KERNEL} can be opened now (library loads, device opens) */
    public static boolean isKernelAvailable() {
        return KernelCheck.unavailabilityCause() == null;
    }

    /**
     * @return why {@link Backend#KERNEL} cannot be opened (a {@link NativeLibraryUnavailableException}
     *         or {@link DeviceUnavailableException}), or null when it can
     */
    public static BackendUnavailableException kernelUnavailabilityCause() {
        return KernelCheck.unavailabilityCause();
    }

    /** @return KERNEL, RSEQ or EMULATED (never AUTO); {@link #backendReason()} says why */
    public Backend backend() {
        return engine.kind();
    }

    /** @return the number of operation types the backend supports (the CPU_OP_NR_FLAG query: 6) */
    public int supportedOps() {
        return query(Abi.NR_FLAG, "CPU_OP_NR_FLAG");
    }

    /** @return the most ops a vector may hold (the CPU_OP_VEC_LEN_MAX_FLAG query: 4) */
    public int maxVectorLength() {
        return query(Abi.VEC_LEN_MAX_FLAG, "CPU_OP_VEC_LEN_MAX_FLAG");
    }

    private int query(int flag, String name) {
        checkOpen();
        int r = engine.exec(0, 0, -1, flag);
        if (r < 0) {
            throw CpuOpvException.of(-r, "flag query " + name, engine.kind());
        }
        return r;
    }

    /**
     * @return the CPU the calling thread runs on now ({@code sched_getcpu()}; may be stale by
     *         the time it is used). The emulated backend without the native library (non-Linux)
     *         answers a stable per-thread stand-in.
     */
    public int currentCpu() {
        return engine.currentCpu();
    }

    /** @return the possible CPUs ({@code /sys/devices/system/cpu/possible}), fixed for the handle */
    public CpuSet possibleCpus() {
        return possible;
    }

    /** @return the CPUs online now ({@code /sys/devices/system/cpu/online}; read on each call) */
    public CpuSet onlineCpus() {
        return readCpuList("/sys/devices/system/cpu/online");
    }

    static CpuSet readCpuList(String file) {
        try {
            return CpuSet.parse(Files.readString(Paths.get(file)));
        } catch (IOException | RuntimeException e) {
            return CpuSet.range(Runtime.getRuntime().availableProcessors());
        }
    }

    /** @return a new empty vector owning about 4.3 KiB of native memory (reuse it) */
    public OpVector newVector() {
        return new OpVector(this, allocate(OpVector.bytesNeeded()));
    }

    /**
     * @param slotBytes bytes per CPU, rounded up to a multiple of 128
     * @return a zeroed arena with one slot per possible CPU
     */
    public PerCpuArena allocateArena(int slotBytes) {
        int slot = PerCpuArena.roundSlotSize(slotBytes);
        long total = (long) slot * (possible.max() + 1);
        return new PerCpuArena(this, ids.incrementAndGet(), allocate(total), slot, possible);
    }

    private NativeBlock allocate(long bytes) {
        synchronized (blocks) {
            checkOpen();
            NativeBlock b = engine.allocate(bytes);
            blocks.add(b);
            return b;
        }
    }

    void release(NativeBlock b) {
        synchronized (blocks) {
            blocks.remove(b);
        }
        engine.release(b);
    }

    /**
     * Same as {@code execute(vector, RetryPolicy.NEVER)}.
     *
     * @param vector a vector of this handle, started with {@link OpVector#on(int)}
     * @return {@link Outcome#DONE}, a failed compare's index, or {@link Outcome#EXPECTED_FAULT} at the first
     *         EAGAIN
     * @throws InvalidVectorException EINVAL (e.g. target CPU not in this thread's affinity mask)
     * @throws OperandFaultException  EFAULT
     * @throws CpuOpvException        any other errno (e.g. ENOSYS: the module went away)
     * @throws IllegalStateException  when the handle, the vector or one of its regions is closed,
     *                                or the vector has no target CPU
     * @throws IllegalArgumentException when the vector belongs to another handle
     */
    public Outcome execute(OpVector vector) {
        return execute(vector, RetryPolicy.NEVER);
    }

    /**
     * Runs the vector on its target CPU.
     *
     * @param vector a vector of this handle, started with {@link OpVector#on(int)}
     * @param retry what to do on EAGAIN (an expect-fault operand faulted; nothing ran)
     * @return {@link Outcome#DONE}, a failed compare's index, or {@link Outcome#EXPECTED_FAULT}
     * @throws InvalidVectorException EINVAL (e.g. target CPU not in this thread's affinity mask)
     * @throws OperandFaultException  EFAULT
     * @throws CpuOpvException        any other errno (e.g. ENOSYS: the module went away)
     * @throws IllegalStateException  when the handle, the vector or one of its regions is closed,
     *                                or the vector has no target CPU
     * @throws IllegalArgumentException when the vector belongs to another handle
     */
    public Outcome execute(OpVector vector, RetryPolicy retry) {
        checkOpen();
        if (vector.owner() != this) {
            throw new IllegalArgumentException("the vector belongs to another CpuOpv handle");
        }
        vector.checkExecutable();
        int faults = 0;
        for (;;) {
            int r;
            if (listener == null) {
                r = engine.exec(vector.opsAddress(), vector.size(), vector.targetCpu(), 0);
            } else {
                r = observed(vector);
            }
            if (r >= 0) {
                if (r > Abi.VEC_LEN_MAX) {
                    throw new IllegalStateException("backend answered " + r + " for " + vector.describe());
                }
                return Outcome.ofResult(r);
            }
            if (r == -Errno.EAGAIN) {
                if (retry.retryAfterExpectedFault(++faults)) {
                    continue;
                }
                return Outcome.EXPECTED_FAULT;
            }
            throw CpuOpvException.of(-r, vector.describe(), engine.kind());
        }
    }

    /** The backend's raw answer for any arguments (tests of the backends' own checks). */
    int rawExec(long ops, int count, int cpu, int flags) {
        return engine.exec(ops, count, cpu, flags);
    }

    private int observed(OpVector vector) {
        int callerCpu = engine.currentCpu();
        long start = System.nanoTime();
        int r = engine.exec(vector.opsAddress(), vector.size(), vector.targetCpu(), 0);
        long end = System.nanoTime();
        listener.executed(engine.kind(), vector, callerCpu, r, start, end - start);
        return r;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("this CpuOpv handle is closed");
        }
    }

    /** @return true until {@link #close()} */
    public boolean isOpen() {
        return !closed;
    }

    /**
     * Frees every arena and vector of this handle; idempotent. Later uses of them throw
     * {@link IllegalStateException}; uses racing this close do not crash the JVM (the memory
     * stays mapped for a while, see {@link PerCpuArena}), but their results are meaningless.
     */
    @Override
    public void close() {
        List<NativeBlock> all;
        synchronized (blocks) {
            if (closed) {
                return;
            }
            closed = true;
            all = new ArrayList<>(blocks);
            blocks.clear();
        }
        for (NativeBlock b : all) {
            engine.release(b);
        }
    }

    @Override
    public String toString() {
        return "CpuOpv[" + engine.kind() + ", possible CPUs " + possible + (closed ? ", closed" : "") + "]";
    }
}
