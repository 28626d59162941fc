/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.percpu;

import java.lang.invoke.VarHandle;

import org.cpuopv.CpuOpv;
import org.cpuopv.Slot;
import org.cpuopv.internal.PerCpuOps;

/**
 * One spin lock per CPU: use case 1 of cpu_opv. Locking CPU {@code c}'s word is "compare
 * word == 0, store 1" run on {@code c}: a restartable sequence when the caller runs on
 * {@code c} (one native call, no system call), cpu_opv on {@code c} otherwise (kernel backend), or a
 * move to {@code c} and back (rseq backend). Unlocking is a store-release of 0 from Java.
 *
 * <p><b>Guarantees.</b> Mutual exclusion per CPU word: between a successful {@link #lock} or
 * {@link #tryLock} of CPU {@code c} and the matching {@link #unlock}, no other thread holds
 * {@code c}'s lock. Every 0-to-1 store runs on {@code c} itself (in its sequence, or in cpu_opv
 * on it), so the lockers of one word never race on two CPUs. The holder may be migrated anywhere
 * while it holds it: the lock protects per-CPU <em>data</em>, not the CPU. Not reentrant, not
 * fair (waiters spin reading the word, then race), no owner check on unlock.
 *
 * <p><b>Memory ordering.</b> Acquire on a successful lock (everything the previous holder wrote
 * before its unlock is visible), release on unlock.
 *
 * <p><b>Costs.</b> {@link #tryLockCurrent()} / {@link #lockCurrent()} uncontended: one native call
 * running a restartable sequence. {@link #tryLock(int)} of another CPU: one cpu_opv (an IPI) or
 * two {@code sched_setaffinity}. Waiters spin on an acquire read and try nothing while the word
 * is 1, yielding their CPU every 100 spins (a holder preempted on an oversubscribed machine gets
 * to run). Unlock: no call at all. Nothing allocated, no per-thread object to pass. Memory: 128
 * bytes per possible CPU.
 *
 * <p><b>Migration and CPUs.</b> {@link #lockCurrent()} locks the CPU the sequence ran on and
 * answers it (the caller may be elsewhere when it returns; pass the answer to {@link #unlock}).
 * Locking another CPU's word needs that CPU in the caller's affinity mask (otherwise
 * IllegalArgumentException).
 */
public final class PerCpuSpinLock extends PerCpuStructure {
    private static final long WORD = 0;
    private static final int SPINS_BEFORE_YIELD = 100;

    /** @param opv the handle that owns the lock words */
    public PerCpuSpinLock(CpuOpv opv) {
        super(opv, 8);
    }

    /**
     * One attempt to take {@code cpu}'s lock.
     *
     * @param cpu the CPU whose lock to take: a possible CPU (another than the caller's: in its affinity mask)
     * @return true when the caller now holds it; false when it was held (nothing changed)
     * @throws IllegalArgumentException when {@code cpu} is not a possible CPU, or (kernel and rseq backends)
     *         not one the calling thread may run on (its affinity mask or cpuset) or offline
     * @throws IllegalStateException when the structure is closed, or the native call reports an error (the
     *         message names it)
     */
    public boolean tryLock(int cpu) {
        Slot s = slot(cpu);
        if (s.getLongAcquire(WORD) != 0) {
            return false;
        }
        if (PerCpuOps.check(ops.cmpeqStore(base, stride, 0, 1, target(cpu)), "tryLock") >= 0) {
            VarHandle.acquireFence();
            return true;
        }
        return false;
    }

    /**
     * One attempt to take the lock of the CPU the caller runs on, in one restartable sequence.
     *
     * @return the CPU whose lock the caller now holds, or -1 when that CPU's lock was held
     * @throws IllegalStateException when the structure is closed, or the native call reports an error (the
     *         message names it)
     */
    public int tryLockCurrent() {
        checkOpen();
        int r = PerCpuOps.check(ops.cmpeqStore(base, stride, 0, 1, -1), "tryLockCurrent");
        if (r >= 0) {
            VarHandle.acquireFence();
        }
        return r;
    }

    /**
     * Takes {@code cpu}'s lock, spinning until it is free.
     *
     * @param cpu the CPU whose lock to take: a possible CPU (another than the caller's: in its affinity mask)
     * @throws IllegalArgumentException when {@code cpu} is not a possible CPU, or (kernel and rseq backends)
     *         not one the calling thread may run on (its affinity mask or cpuset) or offline
     * @throws IllegalStateException when the structure is closed, or the native call reports an error (the
     *         message names it)
     */
    public void lock(int cpu) {
        Slot s = slot(cpu);
        for (int spins = 0;; ) {
            while (s.getLongAcquire(WORD) != 0) {
                spins = spin(spins);
            }
            if (tryLock(cpu)) {
                return;
            }
        }
    }

    private static int spin(int spins) {
        if (++spins < SPINS_BEFORE_YIELD) {
            Thread.onSpinWait();
            return spins;
        }
        Thread.yield(); // the holder may be preempted: give it the CPU back
        return 0;
    }

    /**
     * Takes the lock of the CPU the caller runs on: the sequence reads the CPU and locks its word
     * at once; when that lock is held, waits for it (or for another CPU, if the caller moves).
     *
     * @return the CPU whose lock the caller holds; pass it to {@link #unlock}
     * @throws IllegalStateException when the structure is closed, or the native call reports an error (the
     *         message names it)
     */
    public int lockCurrent() {
        for (;;) {
            int cpu = tryLockCurrent();
            if (cpu >= 0) {
                return cpu;
            }
            Slot s = slot(opv.currentCpu()); // a hint: the next attempt reads the CPU again
            for (int spins = 0; spins < SPINS_BEFORE_YIELD && s.getLongAcquire(WORD) != 0; spins++) {
                Thread.onSpinWait();
            }
            if (s.getLongAcquire(WORD) != 0) {
                Thread.yield(); // the holder may be preempted: give it the CPU back
            }
        }
    }

    /**
     * Releases {@code cpu}'s lock (a store-release of 0; no call). The caller must hold it.
     *
     * @param cpu the CPU whose lock the caller holds (after {@link #lockCurrent()}: the CPU it answered)
     * @throws IllegalArgumentException when {@code cpu} is not a possible CPU
     * @throws IllegalStateException when the structure is closed
     */
    public void unlock(int cpu) {
        slot(cpu).putLongRelease(WORD, 0);
    }

    /**
     * @param cpu the CPU whose lock to look at: a possible CPU
     * @return whether {@code cpu}'s lock is held now (an acquire read; a hint)
     * @throws IllegalArgumentException when {@code cpu} is not a possible CPU
     * @throws IllegalStateException when the structure is closed
     */
    public boolean isLocked(int cpu) {
        return slot(cpu).getLongAcquire(WORD) != 0;
    }
}
