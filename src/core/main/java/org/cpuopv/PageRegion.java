/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv;

import java.util.concurrent.atomic.AtomicLongArray;
import org.cpuopv.internal.NativeCalls;
import org.cpuopv.internal.Quarantine;
import org.cpuopv.internal.Errno;

/**
 * A region of whole 4 KiB pages, any one of which can be given back to the system
 * ({@link #releasePage(int)}) while the rest of the region stays in use: the memory model
 * of a C program whose allocator returns freed list nodes to the kernel.
 *
 * <p>With {@link Backend#KERNEL} a released page is really unmapped, so a vector operand on it
 * faults: EFAULT, or EAGAIN ({@link Outcome#EXPECTED_FAULT}) when the operand is marked
 * expect-fault. That is what makes the pop of a per-CPU linked list safe against a node freed
 * by another thread between reading the head and running the vector. With
 * {@link Backend#EMULATED} the page is only marked released: the emulated engine cannot tell
 * part of a live block from the rest, so a vector on it still runs (algorithms that only read
 * a released page after a compare that must fail, like that pop, behave the same).
 *
 * <p>A released page is never mapped again. Reading or writing it from Java is a bug the region
 * cannot catch (with the kernel backend it crashes the JVM): check {@link #isReleased(int)} or,
 * better, only touch pages you own. Operands of vectors are checked like any region's.
 *
 * <p>Closing the region while another thread uses it is safe as for a {@link PerCpuArena}:
 * the pages it still holds are unmapped after the same delay.
 *
 * <p>Cost: {@code pages * 4 KiB} of address space (kernel: its own anonymous mapping; emulated:
 * an arena of the handle), plus one bit per page. Thread-safe.
 */
public final class PageRegion extends Region implements AutoCloseable {
    /** Bytes per page. */
    public static final int PAGE_SIZE = 4096;

    private final CpuOpv opv;
    private final PerCpuArena backing; // EMULATED: the engine's memory; KERNEL: null, mapped here
    private final int pages;
    private final AtomicLongArray released;
    private volatile boolean closed;

    private PageRegion(CpuOpv opv, PerCpuArena backing, long address, int pages) {
        super(address, pages * PAGE_SIZE);
        this.opv = opv;
        this.backing = backing;
        this.pages = pages;
        this.released = new AtomicLongArray((pages + 63) / 64);
    }

    /**
     * @param opv   the handle that owns the memory
     * @param pages number of pages, 1 .. 2^19 - 1 (with the emulated backend also within what
     *              one arena can hold)
     * @return a zeroed region of {@code pages} pages, page-aligned
     * @throws IllegalArgumentException when {@code pages} is not 1 .. 2^19 - 1, or (emulated backend) does not
     *         fit one arena
     * @throws IllegalStateException when {@code opv} is closed
     * @throws OutOfMemoryError when the kernel backend's mmap fails
     */
    public static PageRegion allocate(CpuOpv opv, int pages) {
        if (pages < 1 || pages >= (1 << 19)) {
            throw new IllegalArgumentException("pages " + pages + " is not in 1.." + ((1 << 19) - 1));
        }
        if (!opv.isOpen()) {
            throw new IllegalStateException("the CpuOpv handle is closed");
        }
        if (opv.backend() == Backend.KERNEL) {
            // Mapped here, not through the handle: a released page leaves a hole that the
            // system may reuse for another mapping, so the region must never be unmapped as one
            // range (which closing a handle's block does); close() unmaps only the pages it holds.
            long bytes = (long) pages * PAGE_SIZE;
            long addr = NativeCalls.mapMemory(bytes, true);
            if (addr < 0) {
                throw new OutOfMemoryError("mmap of " + bytes + " bytes failed: " + Errno.name((int) -addr));
            }
            return new PageRegion(opv, null, addr, pages);
        }
        int slots = opv.possibleCpus().max() + 1;
        long bytes = (long) pages * PAGE_SIZE + PAGE_SIZE; // a page of slack to align by hand
        long perSlot = (bytes + slots - 1) / slots;
        if (perSlot > (1 << 24)) {
            throw new IllegalArgumentException(pages + " pages do not fit one arena of " + slots + " slots");
        }
        PerCpuArena arena = opv.allocateArena((int) perSlot);
        long base = arena.block().address;
        long aligned = (base + PAGE_SIZE - 1) & -(long) PAGE_SIZE;
        return new PageRegion(opv, arena, aligned, pages);
    }

    /** @return the number of pages */
    public int pages() {
        return pages;
    }

    /**
     * @param page a page index, 0..{@link #pages()}-1 (not checked: the answer is {@code page * PAGE_SIZE})
     * @return the offset of the first byte of {@code page}
     */
    public static long pageOffset(int page) {
        return (long) page * PAGE_SIZE;
    }

    /**
     * Gives one page back: unmapped with the kernel backend, marked with the emulated one.
     * Idempotent.
     *
     * @param page the page index, 0..{@link #pages()}-1
     * @return true when this call released it, false when it was released before
     * @throws IndexOutOfBoundsException when {@code page} is not 0..{@link #pages()}-1
     * @throws IllegalStateException when the region is closed, or the kernel refused to unmap the page
     */
    public synchronized boolean releasePage(int page) {
        if (page < 0 || page >= pages) {
            throw new IndexOutOfBoundsException("page " + page + " is not in 0.." + (pages - 1));
        }
        if (!isOpen()) {
            throw new IllegalStateException(describe() + " is closed");
        }
        long bit = 1L << (page & 63);
        long old = released.getAndAccumulate(page >>> 6, bit, (a, b) -> a | b);
        if ((old & bit) != 0) {
            return false;
        }
        if (backing == null) {
            int r = NativeCalls.unmapMemory(address + pageOffset(page), PAGE_SIZE);
            if (r != 0) {
                throw new IllegalStateException("munmap of page " + page + " of " + describe() + ": "
                        + Errno.name(-r));
            }
        }
        return true;
    }

    /**
     * @param page the page index, 0..{@link #pages()}-1 (not range-checked)
     * @return whether {@code page} was released
     */
    public boolean isReleased(int page) {
        return (released.get(page >>> 6) & (1L << (page & 63))) != 0;
    }

    @Override
    public boolean isOpen() {
        return !closed && opv.isOpen() && (backing == null || backing.isOpen());
    }

    @Override
    CpuOpv owner() {
        return opv;
    }

    @Override
    String describe() {
        return "page region of " + pages + " pages";
    }

    /**
     * Frees the pages not released yet; idempotent. With the kernel backend the memory is the
     * region's own: closing the handle does not free it, close the region.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (backing != null) {
            backing.close();
            return;
        }
        // The pages still held are unmapped after the quarantine (as a closed arena is), so a
        // Java access racing this close touches mapped memory.
        for (int p = 0; p < pages; ) {
            if (isReleased(p)) {
                p++;
                continue;
            }
            int end = p;
            while (end < pages && !isReleased(end)) {
                end++;
            }
            long from = address + pageOffset(p);
            long bytes = (long) (end - p) * PAGE_SIZE;
            Quarantine.hold(() -> NativeCalls.unmapMemory(from, bytes));
            p = end;
        }
    }

    @Override
    public String toString() {
        return describe() + " at 0x" + Long.toHexString(address);
    }
}
