/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.percpu;

import org.cpuopv.CpuOpv;
import org.cpuopv.CpuSet;
import org.cpuopv.Slot;
import org.cpuopv.internal.NativeCalls;
import org.cpuopv.internal.PerCpuOps;

/**
 * A statistics counter split per CPU: use case 2 of cpu_opv. An add is a single ADD op run on
 * one CPU's 64-bit word, so adds never contend across CPUs and never need a retry.
 *
 * <p><b>Guarantees.</b> Every {@link #add}/{@link #addOn} lands exactly once on one CPU's word
 * (wrapping at 64 bits). {@link #sum()} is exact when no add runs concurrently; during adds it
 * is the sum of per-CPU values each read at some instant. {@link #sumAndReset} moves the
 * counts out exactly: each CPU's word is zeroed by a vector "compare word == v, store 0", so
 * every add is counted either by that call or by a later one, never twice, never lost.
 *
 * <p><b>Memory ordering.</b> Adds are relaxed (no ordering with the caller's other accesses);
 * reads in {@link #sum()} and {@link #get} are acquire reads of single-copy-atomic words.
 *
 * <p><b>Costs.</b> {@link #add(long)}: one native call running a restartable sequence on the
 * current CPU's word (a few ns; cpu_opv only after repeated aborts, kernel backend), no system
 * call, nothing allocated, no context. {@link #sum()}: no syscall. {@link #sumAndReset()}: one
 * operation per allowed CPU (cpu_opv there, or a move there with the rseq backend).
 * Memory: 128 bytes per possible CPU.
 *
 * <p><b>Migration and CPUs.</b> {@link #add(long)} reads the CPU inside the sequence: a
 * migration before the commit restarts it on the new CPU. {@link #addOn} and
 * {@link #sumAndReset()} target other CPUs, which must be in the caller's affinity mask.
 */
public final class PerCpuCounter extends PerCpuStructure {
    private static final long WORD = 0;

    /** @param opv the handle that owns the per-CPU words */
    public PerCpuCounter(CpuOpv opv) {
        super(opv, 8);
    }

    /**
     * Adds {@code delta} on the CPU the caller runs on: one native call, a restartable sequence on
     * that CPU's word (kernel and rseq backends); no context, nothing allocated.
     *
     * @param delta what to add, any {@code long} (negative subtracts); the word wraps at 64 bits
     * @throws IllegalStateException when the counter is closed, or the native call reports an
     *         error (the message names it)
     */
    public void add(long delta) {
        checkOpen();
        PerCpuOps.check(ops.add(base, stride, delta, -1), "PerCpuCounter.add");
    }

    /**
     * Adds {@code delta} on {@code cpu}'s word: cpu_opv there (kernel backend), or moving there (rseq backend).
     *
     * @param cpu   the CPU whose word to add to: a possible CPU in the caller's affinity mask
     * @param delta what to add, any {@code long} (negative subtracts); the word wraps at 64 bits
     * @throws IllegalArgumentException when {@code cpu} is not a possible CPU, or (kernel and rseq backends)
     *         not one the calling thread may run on (its affinity mask or cpuset) or offline
     * @throws IllegalStateException when the structure is closed, or the native call reports an error (the
     *         message names it)
     */
    public void addOn(int cpu, long delta) {
        PerCpuOps.check(ops.add(base, stride, delta, target(cpu)), "PerCpuCounter.addOn");
    }

    /**
     * @param cpu the CPU whose word to read: a possible CPU
     * @return {@code cpu}'s word now
     * @throws IllegalArgumentException when {@code cpu} is not a possible CPU
     * @throws IllegalStateException when the structure is closed
     */
    public long get(int cpu) {
        return slot(cpu).getLongAcquire(WORD);
    }

    /** @return the sum over all possible CPUs (see the class comment for its exactness) */
    public long sum() {
        long total = 0;
        int n = opv.possibleCpus().size();
        for (int i = 0; i < n; i++) {
            total += get(opv.possibleCpus().get(i));
        }
        return total;
    }

    /**
     * Zeroes the word of every CPU the calling thread may run on and returns what they held,
     * losing no concurrent add: each word is taken by "compare word == v, store 0" run on its
     * CPU. Words of CPUs outside the thread's affinity mask (a container's cpuset smaller than
     * the machine) cannot be reached and are left as they are, still counted by {@link #sum()}.
     *
     * @return the sum of the values taken out
     */
    public long sumAndReset() {
        checkOpen();
        long total = 0;
        CpuSet cpus = allowedCpus();
        for (int i = 0; i < cpus.size(); i++) {
            int cpu = cpus.get(i);
            Slot s = slot(cpu);
            for (;;) {
                long v = s.getLongAcquire(WORD);
                if (v == 0) {
                    break;
                }
                int r = ops.cmpeqStore(base, stride, v, 0, cpu);
                if (r >= 0) {
                    total += v;
                    break;
                }
                if (r != NativeCalls.PC_FAILED) {
                    break; // unreachable now (left our mask, offline): the value stays, counted by sum()
                }
            }
        }
        return total;
    }

    /** Zeroes the words of every CPU the caller may run on (same as {@link #sumAndReset}, discarding the sum). */
    public void reset() {
        sumAndReset();
    }
}
