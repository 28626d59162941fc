/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv;

/**
 * Observes every vector a {@link CpuOpv} executes (the seam for recorders and tracers).
 * Installed at open ({@link CpuOpv#open(Backend, ExecuteListener)}); without one, execute
 * does not even read the clock.
 *
 * <p>Called on the executing thread, after the backend answered and before execute returns
 * or throws; the vector must not be changed or kept (copy what you need: its accessors
 * {@link OpVector#size()}, {@link OpVector#opType(int)}, ... decode it). An exception thrown
 * here propagates to the caller of execute.
 */
@FunctionalInterface
public interface ExecuteListener {
    /**
     * @param backend     the backend that ran it
     * @param vector      the vector, as executed (read only)
     * @param callerCpu   the CPU the calling thread was on just before the call, or -1 if unknown
     * @param result      the system call's answer: 0..4, or -errno (-EAGAIN for each expected fault,
     *                    so a retried vector is reported once per run)
     * @param startNanos  {@link System#nanoTime()} before the call
     * @param durationNanos nanoseconds the call took
     */
    void executed(Backend backend, OpVector vector, int callerCpu, int result, long startNanos, long durationNanos);
}
