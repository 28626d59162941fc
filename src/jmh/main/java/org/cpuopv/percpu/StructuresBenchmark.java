/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.percpu;

import java.util.ArrayDeque;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import org.cpuopv.Backend;
import org.cpuopv.CpuOpv;
import org.cpuopv.internal.NativeCalls;
import org.cpuopv.internal.NativeLibrary;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A push and a pop of the stealing stack (two JNI calls, two rseq sections on the caller's
 * CPU) against the same pair on a {@code ConcurrentLinkedDeque} and on an {@code ArrayDeque}
 * under a {@code ReentrantLock}; an offer and a poll of the ring buffer (claim, write, commit,
 * poll) against {@code ArrayBlockingQueue.offer/poll}. All shared by the benchmark's threads;
 * ratios within one run (docs/benchmarks.md). The JDK queues box their values (a Long per
 * push beyond the cache), the per-CPU structures allocate nothing: see {@code -prof gc}.
 *
 * <p>The ring's benchmark prints, after each iteration, how often the library moved the thread
 * to another CPU (rseq backend: a commit after the thread was migrated off the claiming CPU, two
 * {@code sched_setaffinity}), to tell that cost from the rest on a loaded machine.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class StructuresBenchmark {
    @Param({"AUTO"})
    public String backend;

    private CpuOpv opv;
    private PerCpuStealingStack stack;
    private PerCpuRingBuffer ring;
    private final ConcurrentLinkedDeque<Long> clq = new ConcurrentLinkedDeque<>();
    private final ArrayDeque<Long> deque = new ArrayDeque<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayBlockingQueue<byte[]> abq = new ArrayBlockingQueue<>(1024);

    /** Per benchmark thread: its record and its own counter of values. */
    @State(Scope.Thread)
    public static class Mine {
        final byte[] record = new byte[64];
        final byte[] out = new byte[64];
        long next = 1000;
    }

    /** The library's moves to another CPU during one iteration (NativeCalls.pcStats), printed. */
    @State(Scope.Thread)
    public static class Moves {
        private final long[] stats = new long[4];
        private long before;

        @Setup(Level.Iteration)
        public void start() {
            if (!NativeLibrary.isLoaded()) {
                return; // the emulated backend without the library: nothing moves threads
            }
            NativeCalls.pcStats(stats);
            before = stats[3];
        }

        @TearDown(Level.Iteration)
        public void stop() {
            if (!NativeLibrary.isLoaded()) {
                return;
            }
            NativeCalls.pcStats(stats);
            System.out.println("moves to another CPU in this iteration: " + (stats[3] - before));
        }
    }

    @Setup(Level.Trial)
    public void open() {
        opv = CpuOpv.open(Backend.valueOf(backend));
        stack = new PerCpuStealingStack(opv, 1024);
        ring = new PerCpuRingBuffer(opv, 1024, 64);
    }

    @TearDown(Level.Trial)
    public void close() {
        System.out.println("backend " + opv.backend() + " (" + opv.backendReason() + ")");
        ring.close();
        stack.close();
        opv.close();
    }

    @Benchmark
    public long stealingStackPushPop(Mine m) {
        stack.push(m.next++);
        return stack.pop(-1); // -1 only when migrated between the two: the value waits on the other CPU
    }

    @Benchmark
    public Long concurrentLinkedDequePushPop(Mine m) {
        clq.push(m.next++);
        return clq.pollFirst();
    }

    @Benchmark
    public Long lockedArrayDequePushPop(Mine m) {
        lock.lock();
        try {
            deque.push(m.next++);
            return deque.pollFirst();
        } finally {
            lock.unlock();
        }
    }

    @Benchmark
    public int ringBufferOfferPoll(Mine m, Moves moves) {
        long claim = ring.tryClaim();
        if (claim == PerCpuRingBuffer.FULL) {
            return -1;
        }
        ring.write(claim, m.record, 0, 64);
        ring.commit(claim);
        // each benchmark thread consumes the CPU it claimed on; two threads on one CPU would be
        // two consumers, so with -t 2 the threads must run on different CPUs (see the doc)
        return ring.poll(PerCpuRingBuffer.claimCpu(claim), m.out, 0);
    }

    @Benchmark
    public byte[] arrayBlockingQueueOfferPoll(Mine m) {
        abq.offer(m.record);
        return abq.poll();
    }
}
