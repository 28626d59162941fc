/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.percpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;

import org.cpuopv.Backend;
import org.cpuopv.CpuOpv;
import org.cpuopv.CpuSet;
import org.cpuopv.PerCpuTestSupport;
import org.cpuopv.internal.NativeCalls;
import org.junit.jupiter.api.function.Executable;

/**
 * The stress harness: sizes scaled for where the suite runs, worker threads (at least twice
 * the CPUs) that migrate while they work, and failure collection.
 *
 * <p>Sizes: {@code -Dcpuopv.stress.scale=F} multiplies every operation count; the default is 1
 * on the host and 0.03 in the test VM ({@code CPU_OPV_VM=1}, where the JVM runs under TCG).
 *
 * <p>The slow path, forced (the stress tests are tagged {@value #TAG}):
 * <ul>
 * <li>injected aborts, N &gt;= {@value #MAX_ABORTS} ({@code -Dcpuopv.test.injectAborts=N} for a
 *     whole JVM, or {@link #withInjectedAborts} around a test, as {@code InjectedAbortsStressTest}
 *     does for the seven): for the whole of each {@link #run}, every per-CPU operation counts its
 *     first N attempts as aborted ({@code NativeCalls.pcInjectAborts}), so on the kernel backend
 *     each one gives up on rseq after {@value #MAX_ABORTS} aborts and runs through cpu_opv; the
 *     rseq backend retries N times, then runs its section;</li>
 * <li>{@code -Dcpuopv.test.rseq=absent} (the JVM started with
 *     {@code GLIBC_TUNABLES=glibc.pthread.rseq=0}; test-vm/guest-steps.d/percpu-slow.sh): no
 *     thread has rseq, so every operation of the kernel backend runs through cpu_opv;
 *     {@code present} asserts the opposite.</li>
 * </ul>
 * Either way {@link #run} asserts the mode before it starts, and
 * {@link #requireForcedSlowPath} asserts afterwards, from the library's counters
 * ({@code NativeCalls.pcStats}), that the operations really took the slow path: a forced run
 * cannot pass on the fast path.
 */
final class Stress {
    /** The JUnit tag of the stress tests of the seven structures. */
    static final String TAG = "stress";
    /** Aborts in a row before the library's cpu_opv slow path (cpuopv_rseq.c's default). */
    static final int MAX_ABORTS = 8;
    static final double SCALE = scale();
    static final CpuSet ALLOWED = PerCpuTestSupport.affinity();
    /** Injected aborts per operation during {@link #run} (0: none); see {@link #withInjectedAborts}. */
    private static volatile int injectAborts = Integer.getInteger("cpuopv.test.injectAborts", 0);
    /** "absent", "present" or "" (either): whether glibc registered rseq, asserted by {@link #run}. */
    static final String RSEQ = System.getProperty("cpuopv.test.rseq", "");
    /** glibc's answer when its rseq registration is off ({@code __rseq_size} is 0). */
    private static final int ENOTSUP = 95;
    /** Indices into {@code NativeCalls.pcStats}. */
    static final int ABORTS = 0;
    static final int INJECTED = 1;
    static final int SLOW = 2;
    static final int MOVES = 3;
    /** What the library's counters moved by during the last {@link #run} (of any thread calling it). */
    private static volatile long[] lastRun = new long[4];

    private Stress() {
    }

    private static double scale() {
        String p = System.getProperty("cpuopv.stress.scale");
        if (p != null && !p.isBlank()) {
            return Double.parseDouble(p);
        }
        return "1".equals(System.getenv("CPU_OPV_VM")) ? 0.03 : 1.0;
    }

    /** @return {@code base} scaled, at least {@code min} */
    static int ops(int base, int min) {
        return Math.max(min, (int) (base * SCALE));
    }

    /** @return at least twice the CPUs, and at least 4 */
    static int threads() {
        return Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
    }

    /** One worker's body. */
    interface Body {
        void run(int id, Worker w) throws Exception;
    }

    /** Per-thread state: a context, a random source and the migration schedule. */
    static final class Worker {
        final PerCpuContext ctx;
        final SplittableRandom rnd;
        private boolean pinned;
        long moves;

        Worker(CpuOpv opv, long seed) {
            this.ctx = new PerCpuContext(opv);
            this.rnd = new SplittableRandom(seed);
        }

        /** Every call: with probability 1/8 pin to one random allowed CPU, or back to all of them. */
        void maybeMigrate() {
            if (rnd.nextInt(8) != 0) {
                return;
            }
            if (pinned || ALLOWED.size() < 2) {
                unpin();
            } else {
                pinTo(ALLOWED.get(rnd.nextInt(ALLOWED.size())));
            }
        }

        /** Pins to {@code cpu} alone (the kernel moves the thread there). */
        void pinTo(int cpu) {
            PerCpuTestSupport.pin(cpu);
            pinned = true;
            moves++;
        }

        /** Restores the whole allowed mask: every CPU may be targeted again. */
        void unpin() {
            if (pinned) {
                PerCpuTestSupport.pin(ALLOWED);
                pinned = false;
            }
        }

        /** @return true when the thread's mask holds every allowed CPU (remote targets are legal) */
        boolean unpinned() {
            return !pinned;
        }

        /** @return a random allowed CPU */
        int randomCpu() {
            return ALLOWED.get(rnd.nextInt(ALLOWED.size()));
        }
    }

    /**
     * Runs {@code body} (a stress test) with {@code n} aborts injected per operation in each of
     * its {@link #run}s, and its {@link #requireForcedSlowPath} checks that they took effect.
     */
    static void withInjectedAborts(int n, Executable body) throws Throwable {
        int old = injectAborts;
        injectAborts = n;
        try {
            body.execute();
        } finally {
            injectAborts = old;
        }
    }

    /** @return whether this run forces the slow path (injected aborts, or no rseq at all) */
    static boolean forced() {
        return injectAborts > 0 || RSEQ.equals("absent");
    }

    /** Asserts the mode the properties ask for, before any work. */
    private static void checkMode(CpuOpv opv) {
        int rseq = NativeCalls.rseqStatus();
        switch (RSEQ) {
            case "":
                break;
            case "absent":
                assertEquals(ENOTSUP, rseq, "cpuopv.test.rseq=absent, but glibc registered rseq"
                        + " (was the JVM started with GLIBC_TUNABLES=glibc.pthread.rseq=0?)");
                assertTrue(CpuOpv.rseqUnavailabilityReason() != null, "the library still offers rseq");
                assertTrue(opv.backend() != Backend.RSEQ, "an rseq backend without rseq");
                break;
            case "present":
                assertEquals(0, rseq, "cpuopv.test.rseq=present: " + CpuOpv.rseqUnavailabilityReason());
                break;
            default:
                fail("cpuopv.test.rseq is absent, present or unset, not '" + RSEQ + "'");
        }
        if (injectAborts > 0 && injectAborts < MAX_ABORTS) {
            fail("cpuopv.test.injectAborts=" + injectAborts + " would not force the slow path: it takes "
                    + MAX_ABORTS + " aborts in a row");
        }
    }

    /**
     * After a forced {@link #run}: asserts that at least {@code ops} per-CPU operations (what the
     * test knows it completed: pushes, pops, locks, adds, claims, commits) went through the slow
     * path: on the kernel backend the library's cpu_opv slow path ran at least that often, with
     * no rseq attempt when rseq is absent; on the rseq backend (no slow path there) the injected
     * aborts were retried. Nothing to check on the emulated backend (no sections) or when the
     * run was not forced.
     */
    static void requireForcedSlowPath(CpuOpv opv, long ops, String what) {
        if (!forced()) {
            return;
        }
        long[] d = lastRun;
        String stats = nativeStats(d);
        assertTrue(ops > 0, what + ": no operations to check");
        switch (opv.backend()) {
            case KERNEL:
                assertTrue(d[SLOW] >= ops, what + ": only " + d[SLOW] + " cpu_opv slow paths for " + ops
                        + " operations (" + stats + "): the slow path was not forced");
                if (injectAborts > 0) {
                    assertTrue(d[INJECTED] >= ops * MAX_ABORTS, what + ": " + stats);
                } else {
                    assertEquals(0, d[ABORTS], what + ": an rseq abort without rseq (" + stats + ")");
                }
                break;
            case RSEQ:
                if (injectAborts > 0) {
                    assertTrue(d[INJECTED] >= ops * injectAborts, what + ": " + stats);
                }
                break;
            default:
                break;
        }
    }

    private static String nativeStats(long[] d) {
        return d[SLOW] + " cpu_opv slow paths, " + d[INJECTED] + " injected aborts, " + d[ABORTS] + " aborts, "
                + d[MOVES] + " moves to another CPU";
    }

    /**
     * Runs {@code threads} workers to completion (or fails after {@code timeoutSeconds}, with
     * their stacks), rethrowing the first failure; with the slow path forced (see the class),
     * for the whole run.
     *
     * @return the workers, for their counters
     */
    static List<Worker> run(CpuOpv opv, int threads, long timeoutSeconds, Body body) throws InterruptedException {
        checkMode(opv);
        long[] before = new long[4];
        NativeCalls.pcStats(before);
        NativeCalls.pcInjectAborts(injectAborts);
        try {
            return runWorkers(opv, threads, timeoutSeconds, body);
        } finally {
            NativeCalls.pcInjectAborts(0);
            long[] after = new long[4];
            NativeCalls.pcStats(after);
            for (int i = 0; i < after.length; i++) {
                after[i] -= before[i];
            }
            lastRun = after;
        }
    }

    private static List<Worker> runWorkers(CpuOpv opv, int threads, long timeoutSeconds, Body body)
            throws InterruptedException {
        List<Worker> workers = new ArrayList<>();
        List<Thread> ts = new ArrayList<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int i = 0; i < threads; i++) {
            int id = i;
            Worker w = new Worker(opv, 0x5eedL * 31 + i);
            workers.add(w);
            Thread t = new Thread(() -> {
                try {
                    body.run(id, w);
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                } finally {
                    w.unpin();
                    w.ctx.close();
                }
            }, "stress-" + i);
            t.setDaemon(true);
            ts.add(t);
        }
        ts.forEach(Thread::start);
        long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
        for (Thread t : ts) {
            long left = deadline - System.nanoTime();
            if (left > 0) {
                t.join(Math.max(1, left / 1_000_000));
            }
            if (t.isAlive()) {
                StringBuilder sb = new StringBuilder("stress workers still running after " + timeoutSeconds + "s:");
                for (Thread x : ts) {
                    if (x.isAlive()) {
                        sb.append("\n").append(x.getName());
                        for (StackTraceElement e : x.getStackTrace()) {
                            sb.append("\n    at ").append(e);
                        }
                    }
                }
                if (failure.get() != null) {
                    sb.append("\nfirst failure: ").append(failure.get());
                }
                fail(sb.toString());
            }
        }
        Throwable f = failure.get();
        if (f != null) {
            if (f instanceof Error) {
                throw (Error) f;
            }
            throw new AssertionError("a stress worker failed: " + f, f);
        }
        return workers;
    }

    /** @return the sum of a counter over the workers */
    static long total(List<Worker> ws, java.util.function.ToLongFunction<Worker> f) {
        return ws.stream().mapToLong(f).sum();
    }

    /** Prints one line for the log (the VM run keeps the console), with the last run's native counters. */
    static void report(String what, CpuOpv opv, long startNanos, String details) {
        String mode = (injectAborts > 0 ? ", " + injectAborts + " aborts injected per operation" : "")
                + (RSEQ.isEmpty() ? "" : ", rseq " + RSEQ);
        System.out.printf("%s [%s%s]: %d ms; %s; %s%n", what, opv.backend(), mode,
                (System.nanoTime() - startNanos) / 1_000_000, details,
                opv.backend() == Backend.EMULATED ? "no native operations" : nativeStats(lastRun));
    }
}
