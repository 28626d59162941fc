/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.percpu;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;

import org.cpuopv.CpuOpv;
import org.cpuopv.CpuSet;
import org.cpuopv.PerCpuTestSupport;

/**
 * The stress harness: sizes scaled for where the suite runs, worker threads (at least twice
 * the CPUs) that migrate while they work, and failure collection.
 *
 * <p>Sizes: {@code -Dcpuopv.stress.scale=F} multiplies every operation count; the default is 1
 * on the host and 0.03 in the test VM ({@code CPU_OPV_VM=1}, where the JVM runs under TCG).
 */
final class Stress {
    static final double SCALE = scale();
    static final CpuSet ALLOWED = PerCpuTestSupport.affinity();

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
     * Runs {@code threads} workers to completion (or fails after {@code timeoutSeconds}, with
     * their stacks), rethrowing the first failure.
     *
     * @return the workers, for their counters
     */
    static List<Worker> run(CpuOpv opv, int threads, long timeoutSeconds, Body body) throws InterruptedException {
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

    /** Prints one line for the log (the VM run keeps the console). */
    static void report(String what, CpuOpv opv, long startNanos, String details) {
        System.out.printf("%s [%s]: %d ms; %s%n", what, opv.backend(), (System.nanoTime() - startNanos) / 1_000_000,
                details);
    }
}
