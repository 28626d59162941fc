/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.percpu;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import org.cpuopv.Backend;
import org.cpuopv.CpuOpv;

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
 * {@code PerCpuCounter.add} (one JNI call, an rseq add) against {@code LongAdder.increment}
 * and {@code AtomicLong.incrementAndGet}, all three shared by the benchmark's threads:
 * {@code -t 1} and {@code -t 2}, ratios within one run (docs/benchmarks.md).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CounterBenchmark {
    @Param({"AUTO"})
    public String backend;

    private CpuOpv opv;
    private PerCpuCounter counter;
    private final LongAdder adder = new LongAdder();
    private final AtomicLong atomic = new AtomicLong();

    @Setup(Level.Trial)
    public void open() {
        opv = CpuOpv.open(Backend.valueOf(backend));
        counter = new PerCpuCounter(opv);
    }

    @TearDown(Level.Trial)
    public void close() {
        System.out.println("backend " + opv.backend() + " (" + opv.backendReason() + "), downcalls "
                + CpuOpv.downcallMechanism() + ", sum " + counter.sum());
        counter.close();
        opv.close();
    }

    @Benchmark
    public void perCpuCounterAdd() {
        counter.add(1);
    }

    @Benchmark
    public void longAdderIncrement() {
        adder.increment();
    }

    @Benchmark
    public long atomicLongIncrementAndGet() {
        return atomic.incrementAndGet();
    }
}
