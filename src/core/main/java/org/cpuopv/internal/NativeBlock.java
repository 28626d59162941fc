/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.internal;

/**
 * One block of native memory owned by a {@link org.cpuopv.CpuOpv} handle: zeroed, aligned to
 * {@link #ALIGNMENT} bytes, freed exactly once.
 */
public final class NativeBlock {
    /** Alignment of every block: two cache lines (adjacent-line prefetch on x86). */
    public static final int ALIGNMENT = 128;

    public final long address;
    public final long size;
    private final long base;     // what to free
    private final long mapped;   // > 0: bytes of an mmap, else the C allocator's (Mem.allocate)
    private volatile boolean freed;

    private NativeBlock(long base, long address, long size, long mapped) {
        this.base = base;
        this.address = address;
        this.size = size;
        this.mapped = mapped;
    }

    /** Page-aligned anonymous mapping (native library required): unmapped after free (see {@link #free}). */
    public static NativeBlock mapped(long size) {
        Quarantine.drainExpired();
        long bytes = Math.max(size, 1);
        long addr = NativeCalls.mapMemory(bytes, true);
        if (addr < 0) {
            throw new OutOfMemoryError("mmap of " + bytes + " bytes failed: " + Errno.name((int) -addr));
        }
        return new NativeBlock(addr, addr, size, bytes);
    }

    /** Memory from the JVM's native allocator (no library needed), aligned by hand. */
    public static NativeBlock allocated(long size) {
        Quarantine.drainExpired();
        long base = Mem.allocate(size + ALIGNMENT);
        long addr = (base + ALIGNMENT - 1) & -ALIGNMENT;
        Mem.setMemory(addr, size, (byte) 0);
        return new NativeBlock(base, addr, size, 0);
    }

    public boolean isFreed() {
        return freed;
    }

    /** @return whether [addr, addr+len) lies inside this live block */
    public boolean contains(long addr, long len) {
        return addr >= address && len <= size && addr - address <= size - len;
    }

    /**
     * Marks the block freed (every later {@code isFreed()} check sees it) and hands the memory
     * to the {@link Quarantine}, which unmaps or frees it once a racing access can no longer be
     * in flight; idempotent.
     */
    public synchronized void free() {
        if (freed) {
            return;
        }
        freed = true;
        long b = base;
        long m = mapped;
        Quarantine.hold(m > 0 ? () -> NativeCalls.unmapMemory(b, m) : () -> Mem.free(b));
    }
}
