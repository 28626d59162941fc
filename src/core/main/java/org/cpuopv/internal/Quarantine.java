/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.internal;

import java.util.ArrayDeque;

/**
 * Native memory that was closed but is given back to the system only later, so that a Java
 * access racing the close touches memory that is still mapped and still ours.
 *
 * <p>Why: every access checks that its region is open, then touches the memory. A thread
 * that passed the check just before another thread closed the region would, if the memory were
 * unmapped at once, fault (SIGSEGV in a raw accessor: the JVM dies), or, with the allocator's
 * memory, write into whatever reuses it. Java 17 has no way to wait for such a thread to leave
 * the window (the FFM API's shared arenas do that from Java 22 on, with a handshake), so the
 * release is held back for {@link #DELAY_PROPERTY} milliseconds (default
 * {@value #DEFAULT_DELAY_MILLIS}): a thread would have to stall for that long between its
 * check and its access to touch released memory.
 *
 * <p>Held releases run on later calls of {@link #hold} or {@link #drainExpired} (allocation and
 * close of any block), never on a thread of their own; until then the memory stays mapped (its
 * pages keep their contents). Thread-safe.
 */
public final class Quarantine {
    /** System property: how many milliseconds a closed block stays mapped (0: release at once). */
    public static final String DELAY_PROPERTY = "cpuopv.close.quarantineMillis";
    /** The default of {@link #DELAY_PROPERTY}. */
    public static final long DEFAULT_DELAY_MILLIS = 2000;

    private static final long DELAY_NANOS = delayNanos();
    private static final ArrayDeque<Held> HELD = new ArrayDeque<>();

    private Quarantine() {
    }

    private static final class Held {
        final long deadline;
        final Runnable release;

        Held(long deadline, Runnable release) {
            this.deadline = deadline;
            this.release = release;
        }
    }

    private static long delayNanos() {
        try {
            long ms = Long.getLong(DELAY_PROPERTY, DEFAULT_DELAY_MILLIS);
            return Math.max(0, ms) * 1_000_000L;
        } catch (RuntimeException e) {
            return DEFAULT_DELAY_MILLIS * 1_000_000L;
        }
    }

    /** Runs {@code release} once the delay has passed (on a later call), or now when it is 0. */
    public static void hold(Runnable release) {
        if (DELAY_NANOS == 0) {
            release.run();
            return;
        }
        synchronized (HELD) {
            HELD.addLast(new Held(System.nanoTime() + DELAY_NANOS, release));
        }
        drainExpired();
    }

    /** Runs the held releases whose delay has passed. */
    public static void drainExpired() {
        long now = System.nanoTime();
        for (;;) {
            Held h;
            synchronized (HELD) {
                h = HELD.peekFirst();
                if (h == null || h.deadline - now > 0) {
                    return;
                }
                HELD.removeFirst();
            }
            h.release.run();
        }
    }

    /** @return how many releases are held now */
    public static int held() {
        synchronized (HELD) {
            return HELD.size();
        }
    }
}
