/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.example;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.cpuopv.Backend;
import org.cpuopv.CpuOpv;
import org.cpuopv.percpu.PerCpuCounter;
import org.cpuopv.percpu.PerCpuStealingStack;

/**
 * A work-stealing task queue, the five-minute tour of cpu_opv in Java.
 *
 * <p>Tasks are numbers in a {@link PerCpuStealingStack}: one stack per CPU, in off-heap memory.
 * The main thread submits every task on the CPU it runs on, so one CPU's stack holds all the
 * work. Workers (twice the CPUs) take tasks from the stack of the CPU they run on; when it is
 * empty they look at the other CPUs' stacks (a plain read: the count is published with
 * release) and steal one: a pop run <em>on the victim's CPU</em> by cpu_opv, which hands the
 * task to the thief (on no stack in between: nothing can be lost). A task's result goes into a {@link PerCpuCounter} (one ADD on the current CPU),
 * so workers never share a cache line; at the end the per-CPU sums are added up and checked
 * against the same work done sequentially.
 *
 * <pre>
 *   java -cp target/classes org.cpuopv.example.WorkStealingDemo [--backend auto|kernel|emulated] [--tasks N]
 * </pre>
 *
 * Prints what each CPU ran and stole, and ends with {@code result ... OK} (exit 0) or
 * {@code MISMATCH} (exit 1).
 */
public final class WorkStealingDemo {
    /** What the stacks answer when empty: tasks are numbered from 1. */
    private static final long NONE = 0;

    private WorkStealingDemo() {
    }

    /** The "work" of task {@code n}: the Collatz steps of the 500 numbers from {@code 500 n} (tens of microseconds). */
    static long task(long n) {
        long steps = 0;
        for (long x = 500 * n; x < 500 * n + 500; x++) {
            for (long y = x; y > 1; steps++) {
                y = (y & 1) == 0 ? y / 2 : 3 * y + 1;
            }
        }
        return steps;
    }

    /**
     * Runs the demo; exits with 2 on a usage error, 1 on a mismatch.
     *
     * @param args {@code [--backend auto|kernel|emulated] [--tasks N]} (defaults: auto, 2000 tasks)
     * @throws InterruptedException when the main thread is interrupted while waiting for the workers
     */
    public static void main(String[] args) throws InterruptedException {
        Backend backend = Backend.AUTO;
        int tasks = 2000;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--backend") && i + 1 < args.length) {
                backend = Backend.valueOf(args[++i].toUpperCase());
            } else if (args[i].equals("--tasks") && i + 1 < args.length) {
                tasks = Integer.parseInt(args[++i]);
            } else {
                System.err.println("usage: WorkStealingDemo [--backend auto|kernel|emulated] [--tasks N]");
                System.exit(2);
            }
        }
        int workers = 2 * Runtime.getRuntime().availableProcessors();
        int total = tasks;

        try (CpuOpv opv = CpuOpv.open(backend);
             PerCpuStealingStack queue = new PerCpuStealingStack(opv, 1024);
             PerCpuCounter results = new PerCpuCounter(opv);
             PerCpuCounter ran = new PerCpuCounter(opv);
             PerCpuCounter stolen = new PerCpuCounter(opv)) {
            AtomicInteger finished = new AtomicInteger();
            List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                Thread t = new Thread(() -> {
                    while (finished.get() < total) {
                        long task = queue.pop(NONE);                  // from this CPU's stack
                        if (task == NONE && (task = stealOne(opv, queue)) != NONE) {
                            stolen.add(1);                            // taken from another CPU's
                        }
                        if (task == NONE) {
                            Thread.yield();
                            continue;
                        }
                        results.add(task(task));
                        ran.add(1);
                        finished.incrementAndGet();
                    }
                }, "worker-" + w);
                threads.add(t);
                t.start();
            }

            int submitCpu = opv.currentCpu();
            for (long n = 1; n <= tasks; n++) {
                while (!queue.push(n)) {   // this CPU's stack is full: let the workers catch up
                    Thread.yield();
                }
            }
            for (Thread t : threads) {
                t.join();
            }

            long expected = 0;
            for (long n = 1; n <= tasks; n++) {
                expected += task(n);
            }
            System.out.printf("work-stealing demo: backend %s, CPUs %s, %d workers, %d tasks submitted from cpu %d%n",
                    opv.backend(), opv.onlineCpus(), workers, tasks, submitCpu);
            for (int i = 0; i < opv.possibleCpus().size(); i++) {
                int cpu = opv.possibleCpus().get(i);
                System.out.printf("  cpu %d: ran %d tasks, stole %d from other CPUs%n", cpu, ran.get(cpu), stolen.get(cpu));
            }
            boolean ok = results.sum() == expected && ran.sum() == tasks;
            System.out.printf("result %d, expected %d, tasks run %d of %d: %s%n",
                    results.sum(), expected, ran.sum(), tasks, ok ? "OK" : "MISMATCH");
            if (!ok) {
                System.exit(1);
            }
        }
    }

    /** Takes one task from the fullest other CPU's stack; {@link #NONE} when all looked empty. */
    private static long stealOne(CpuOpv opv, PerCpuStealingStack queue) {
        int here = opv.currentCpu();
        int victim = -1;
        long most = 0;
        for (int i = 0; i < opv.possibleCpus().size(); i++) {
            int cpu = opv.possibleCpus().get(i);
            long size = queue.peekSize(cpu);
            if (cpu != here && size > most) {
                most = size;
                victim = cpu;
            }
        }
        if (victim < 0) {
            return NONE;
        }
        try {
            return queue.steal(victim, NONE);        // the task is ours now, on no stack
        } catch (IllegalArgumentException outsideOurCpuset) {
            return queue.popAny(NONE);               // the CPUs we may run on only
        }
    }
}
