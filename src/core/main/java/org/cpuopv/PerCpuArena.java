/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv;

import org.cpuopv.internal.NativeBlock;

/**
 * Per-CPU off-heap memory: one zeroed slot per possible CPU, each a multiple of
 * 128 bytes and aligned to it (no false sharing between CPUs).
 * Created by {@link CpuOpv#allocateArena(int)}; the memory is freed by {@link #close()} (or
 * when its {@link CpuOpv} closes).
 *
 * <p><b>Use after close.</b> An access that starts after {@link #close()} returned throws
 * {@link IllegalStateException}: Java reads and writes of its slots, building a vector on it,
 * and executing a vector built before. Closing while another thread uses the arena never
 * crashes the JVM: an access that passed its check just before the close touches memory that
 * is still mapped and owned by nobody else, because the memory is given back to the system
 * only after a delay ({@code -Dcpuopv.close.quarantineMillis}, default 2000 ms; its pages keep
 * their contents until then). What does not hold: a thread stalled for longer than that delay
 * between the check and the access (a debugger, a stopped process) could still touch
 * unmapped memory; and an execute that raced the close may still have run (kernel backend) or
 * may answer EFAULT (emulated backend). Close only what no thread uses; the guarantee is a
 * safety net, not a synchronisation.
 *
 * <p>Cost: {@code slotSize * (max possible CPU + 1)} bytes, plus a page of rounding with the
 * kernel backend. Thread-safe; closing while in use is safe as described above.
 */
public final class PerCpuArena implements AutoCloseable {
    private final CpuOpv owner;
    private final int id;
    private final NativeBlock block;
    private final int slotSize;
    private final Slot[] slots; // index = cpu; null for CPUs that are not possible

    PerCpuArena(CpuOpv owner, int id, NativeBlock block, int slotSize, CpuSet possible) {
        this.owner = owner;
        this.id = id;
        this.block = block;
        this.slotSize = slotSize;
        this.slots = new Slot[possible.max() + 1];
        for (int cpu = 0; cpu < slots.length; cpu++) {
            if (possible.contains(cpu)) {
                slots[cpu] = new Slot(this, cpu, block.address + (long) cpu * slotSize, slotSize);
            }
        }
    }

    /**
     * @param requested bytes per CPU, 1..2^24 (16 MiB)
     * @return the slot size {@code requested} bytes is rounded up to (a multiple of 128)
     * @throws IllegalArgumentException when {@code requested} is not 1..2^24
     */
    public static int roundSlotSize(int requested) {
        if (requested < 1 || requested > (1 << 24)) {
            throw new IllegalArgumentException("slotBytes " + requested + " is not in 1..16777216");
        }
        return (requested + NativeBlock.ALIGNMENT - 1) & -NativeBlock.ALIGNMENT;
    }

    /**
     * @param cpu a possible CPU
     * @return its slot (preallocated: no allocation)
     * @throws IllegalArgumentException when {@code cpu} is not a possible CPU
     */
    public Slot slot(int cpu) {
        if (cpu < 0 || cpu >= slots.length || slots[cpu] == null) {
            throw new IllegalArgumentException("cpu " + cpu + " is not a possible CPU (possible: "
                    + owner.possibleCpus() + ")");
        }
        return slots[cpu];
    }

    /**
     * @return the address CPU {@code c}'s slot is {@code c * slotSize()} bytes after (that of CPU
     *         0's slot); for native code, never needed to use the API
     */
    public long baseAddress() {
        return block.address;
    }

    /** @return bytes per slot, a multiple of 128 */
    public int slotSize() {
        return slotSize;
    }

    /** @return the handle that owns the memory */
    public CpuOpv owner() {
        return owner;
    }

    /** @return the arena's number within its handle (1, 2, ...): messages and dumps call it {@code arena#N} */
    public int id() {
        return id;
    }

    NativeBlock block() {
        return block;
    }

    /** @return true until closed */
    public boolean isOpen() {
        return !block.isFreed();
    }

    /** Frees the memory; idempotent. */
    @Override
    public void close() {
        owner.release(block);
    }

    @Override
    public String toString() {
        return "arena#" + id + " (" + slots.length + " slots of " + slotSize + " bytes, "
                + (isOpen() ? "open" : "closed") + ")";
    }
}
