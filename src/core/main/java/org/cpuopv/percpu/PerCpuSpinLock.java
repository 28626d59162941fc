/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.percpu;

import java.lang.invoke.VarHandle;

import org.cpuopv.CpuOpv;
import org.cpuopv.Outcome;
import org.cpuopv.Slot;

/**
 * One spin lock per CPU: use case 1 of cpu_opv. Locking CPU {@code c}'s word is one vector run
 * on {@code c}: "compare word == 0, store 1"; unlocking is a store-release of 0 from Java.
 *
 * <p><b>Guarantees.</b> Mutual exclusion per CPU word: between a successful {@link #lock} or
 * {@link #tryLock} of CPU {@code c} and the matching {@link #unlock}, no other thread holds
 * {@code c}'s lock. The holder may be migrated anywhere while it holds it: the lock protects
 * per-CPU <em>data</em>, not the CPU. Not reentrant, not fair (waiters spin reading the word,
 * then race with a vector), no owner check on unlock.
 *
 * <p><b>Memory ordering.</b> Acquire on a successful lock (everything the previous holder wrote
 * before its unlock is visible), release on unlock.
 *
 * <p><b>Costs.</b> Lock: one execute (one ioctl with the kernel backend) per attempt; waiters
 * spin on an acquire read and run no vector while the word is 1, yielding their CPU every 100
 * spins (a holder preempted on an oversubscribed machine gets to run). Unlock: no syscall.
 * Memory: 128 bytes per possible CPU.
 *
 * <p><b>Migration and CPUs.</b> Locking another CPU's word runs the vector on that CPU (an IPI
 * with the kernel backend), so that CPU must be in the calling thread's affinity mask
 * (otherwise {@link org.cpuopv.InvalidVectorException}); {@link #lockCurrent} needs nothing.
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
     * @return true when the caller now holds it
     */
    public boolean tryLock(PerCpuContext ctx, int cpu) {
        check(ctx);
        Slot s = slot(cpu);
        if (s.getIntAcquire(WORD) != 0) {
            return false;
        }
        ctx.vector.on(cpu).compareEqInt(s, WORD, 0).storeInt(s, WORD, 1);
        if (ctx.run() == Outcome.DONE) {
            VarHandle.acquireFence();
            return true;
        }
        return false;
    }

    /** Takes {@code cpu}'s lock, spinning until it is free. */
    public void lock(PerCpuContext ctx, int cpu) {
        check(ctx);
        Slot s = slot(cpu);
        for (int spins = 0;; ) {
            while (s.getIntAcquire(WORD) != 0) {
                if (++spins < SPINS_BEFORE_YIELD) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield(); // the holder may be preempted: give it the CPU back
                    spins = 0;
                }
            }
            if (tryLock(ctx, cpu)) {
                return;
            }
        }
    }

    /**
     * Takes the lock of the CPU the caller runs on (read once: the caller may be elsewhere when
     * it returns).
     *
     * @return the CPU whose lock the caller holds; pass it to {@link #unlock}
     */
    public int lockCurrent(PerCpuContext ctx) {
        int cpu = ctx.currentCpu();
        lock(ctx, cpu);
        return cpu;
    }

    /** Releases {@code cpu}'s lock (a store-release of 0; no vector, no syscall). The caller must hold it. */
    public void unlock(int cpu) {
        slot(cpu).putIntRelease(WORD, 0);
    }

    /** @return whether {@code cpu}'s lock is held now (an acquire read; a hint) */
    public boolean isLocked(int cpu) {
        return slot(cpu).getIntAcquire(WORD) != 0;
    }
}
