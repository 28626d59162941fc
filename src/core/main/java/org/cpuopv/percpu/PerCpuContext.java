/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.percpu;

import org.cpuopv.CpuOpv;
import org.cpuopv.OpVector;
import org.cpuopv.Outcome;

/**
 * What one thread needs to operate on the per-CPU structures of this package without
 * allocating: its {@link OpVector}, the result of the last pop, and counters of retries.
 *
 * <p>No structure of this package takes one any more (their operations are one call each, with
 * the calling thread's own native scratch); it remains for code that builds its own vectors per
 * thread. It is not thread-safe, and it belongs to one {@link CpuOpv} handle: use it
 * only with structures of that handle. Cost: about 4.3 KiB of native memory for the vector.
 */
public final class PerCpuContext implements AutoCloseable {
    final CpuOpv opv;
    final OpVector vector;

    long value;          // last popped 64-bit value
    long retries;
    long expectedFaults;
    long executes;
    private volatile Thread owner;

    /** @param opv the handle whose structures this context will be used with */
    public PerCpuContext(CpuOpv opv) {
        this.opv = opv;
        this.vector = opv.newVector();
    }

    /**
     * A context belongs to the first thread that uses it with a structure; any other thread
     * that uses it is refused (its vector and buffers would be corrupted silently otherwise).
     *
     * @throws IllegalStateException when the calling thread is not that thread
     */
    void checkThread() {
        Thread me = Thread.currentThread();
        Thread o = owner;
        if (o == me) {
            return;
        }
        if (o == null) {
            synchronized (this) {
                if (owner == null) {
                    owner = me;
                    return;
                }
                o = owner;
            }
            if (o == me) {
                return;
            }
        }
        throw new IllegalStateException("this PerCpuContext belongs to thread \"" + o.getName()
                + "\" and was used by thread \"" + me.getName() + "\": a context is per thread (the"
                + " structures' context-free methods need none)");
    }

    /** @return the handle */
    public CpuOpv opv() {
        return opv;
    }

    /** @return the CPU the calling thread runs on now (may be stale at once; the structures check) */
    public int currentCpu() {
        return opv.currentCpu();
    }

    /** @return the value removed by the last successful {@code tryPop}/{@code trySteal} */
    public long value() {
        return value;
    }

    /** @return how many vectors this context ran */
    public long executes() {
        return executes;
    }

    /** @return how many vectors stopped at a compare (another thread or CPU changed the data): re-read and retried */
    public long retries() {
        return retries;
    }

    /** @return how many vectors got EAGAIN on an expect-fault operand (e.g. a freed list node): re-read and retried */
    public long expectedFaults() {
        return expectedFaults;
    }

    /** Zeroes the three counters. */
    public void resetCounters() {
        retries = 0;
        expectedFaults = 0;
        executes = 0;
    }

    /** Runs the built vector and counts the outcome. */
    Outcome run() {
        executes++;
        Outcome o = opv.execute(vector);
        if (o.isCompareFailed()) {
            retries++;
        } else if (o.isExpectedFault()) {
            expectedFaults++;
        }
        return o;
    }

    /** Frees the vector; idempotent. */
    @Override
    public void close() {
        vector.close();
    }
}
