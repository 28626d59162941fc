/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv;

/** Which implementation runs the vectors of a {@link CpuOpv}. */
public enum Backend {
    /**
     * The cpu_opv kernel module through {@code /dev/cpu_opv}: each vector runs on the target CPU
     * with interrupts off (or in an IPI), atomic against everything that runs on that CPU.
     */
    KERNEL,
    /**
     * In process: each vector runs under a per-CPU lock of the handle (and so does each
     * operation of the per-CPU structures); only where rseq is unavailable does AUTO pick it. Same validation and same
     * results as the kernel, but atomic only against other vectors run through the same handle;
     * plain Java accesses to the memory and other processes are not excluded. For machines
     * without the module (laptops, containers, CI hosts).
     */
    EMULATED,
    /**
     * For machines without the module, where glibc registered rseq (2.35+, the default): the
     * per-CPU structures ({@code org.cpuopv.percpu}) run their operations on the current CPU in
     * restartable sequences, and an operation on another CPU (steal, drain, {@code addOn},
     * {@code sumAndReset}) by moving the thread there with {@code sched_setaffinity}, running it
     * in rseq and moving it back. That is atomic against every thread of every process on that
     * CPU. What it cannot give, and the module does: <b>hotplug safety</b> (a CPU going offline
     * between the move and the operation fails it with EINVAL or leaves the thread elsewhere:
     * it is retried), <b>offline CPUs</b> (their data cannot be reached: there is no running
     * there), and <b>progress under abort storms</b> (a section aborted again and again, by a
     * debugger single-stepping it or a page that keeps faulting, is retried without bound;
     * the kernel backend switches to cpu_opv after a few aborts). Moving costs two
     * {@code sched_setaffinity} calls and a migration (tens of microseconds).
     * Op vectors ({@link CpuOpv#execute}) on this backend run as on {@link #EMULATED}, under a
     * per-CPU lock of the handle: atomic against each other, <b>not</b> against the
     * structures' rseq sections; do not mix them on the same memory.
     */
    RSEQ,
    /**
     * {@link #KERNEL} when it is available, else {@link #RSEQ} when glibc registered rseq,
     * else {@link #EMULATED}; the choice and the reason
     * are logged through {@link System.Logger} ("org.cpuopv", level INFO). Only resolved at open:
     * {@link CpuOpv#backend()} never answers AUTO.
     */
    AUTO
}
