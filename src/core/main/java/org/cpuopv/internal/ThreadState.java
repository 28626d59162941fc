/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.internal;

import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a thread needs to run the per-CPU operations: a small native scratch where an operation
 * leaves what it took out (a popped value, a length, a reserved position) and a 4 KiB native
 * record buffer. One per thread, created on its first use, shared by every handle and
 * structure (so nothing is kept per structure), and freed by a {@link Cleaner} once the thread
 * is gone (its thread-local map, the only strong reference, goes with it). Pool threads keep
 * theirs for their lifetime: one per thread, never one per task.
 *
 * <p>It is reached only through {@link #current()}, so it cannot be shared with another
 * thread. On a virtual thread it is the virtual thread's own (freed when that thread is);
 * the operation itself runs in one native call (JNI, or FFM downcalls on Java 22+), during which
 * the virtual thread stays mounted on its carrier, whose rseq area the native code uses.
 */
public final class ThreadState {
    /** Bytes of the record buffer. */
    public static final int BUFFER_BYTES = 4096;
    private static final Cleaner CLEANER = Cleaner.create();
    private static final AtomicLong LIVE = new AtomicLong();
    private static final ThreadLocal<ThreadState> CURRENT = ThreadLocal.withInitial(ThreadState::new);

    /** 8 bytes where an operation leaves its result. */
    public final long out;
    /** {@link #BUFFER_BYTES} bytes for a copied record. */
    public final long buffer;

    private ThreadState() {
        long base = Mem.allocate(64 + BUFFER_BYTES + 64);
        long aligned = (base + 63) & -64L;
        Mem.setMemory(aligned, 64 + BUFFER_BYTES, (byte) 0);
        this.out = aligned;
        this.buffer = aligned + 64;
        LIVE.incrementAndGet();
        CLEANER.register(this, () -> {
            Mem.free(base);
            LIVE.decrementAndGet();
        });
    }

    /** @return the calling thread's state (created on first use) */
    public static ThreadState current() {
        return CURRENT.get();
    }

    /** @return how many thread states are allocated now (tests: no leak per thread) */
    public static long live() {
        return LIVE.get();
    }
}
