/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv;

/**
 * The slot of one CPU in a {@link PerCpuArena}: {@link PerCpuArena#slotSize()} bytes, starting
 * on a 128-byte boundary, so no two CPUs' slots share a cache line.
 * Slots are created with the arena (getting one allocates nothing).
 */
public final class Slot extends Region {
    private final PerCpuArena arena;
    private final int cpu;

    Slot(PerCpuArena arena, int cpu, long address, int size) {
        super(address, size);
        this.arena = arena;
        this.cpu = cpu;
    }

    /** @return the CPU this slot belongs to */
    public int cpu() {
        return cpu;
    }

    /** @return the arena */
    public PerCpuArena arena() {
        return arena;
    }

    @Override
    CpuOpv owner() {
        return arena.owner();
    }

    @Override
    public boolean isOpen() {
        return arena.isOpen();
    }

    @Override
    String describe() {
        return "arena#" + arena.id() + " slot of cpu " + cpu;
    }

    @Override
    public String toString() {
        return describe() + " (" + size + " bytes at 0x" + Long.toHexString(address) + ")";
    }
}
