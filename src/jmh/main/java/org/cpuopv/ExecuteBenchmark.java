/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv;

import java.util.concurrent.TimeUnit;

import org.cpuopv.internal.NativeCalls;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost of one execute, and garbage per execute (run with {@code -prof gc}).
 *
 * <p>{@code -p backend=KERNEL} in the VM; {@code cLoop} is then the same vector run by
 * libcpuopv's C {@code cpu_opv()} in a loop, the baseline of the Java/C ratio. On the
 * emulated backend {@code cLoop} has no device to call and measures nothing useful.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ExecuteBenchmark {
    @Param({"EMULATED"})
    public String backend;

    private CpuOpv opv;
    private PerCpuArena arena;
    private OpVector add;
    private OpVector prebuilt;
    private Slot slot;
    private int cpu;
    private long next;

    @Setup(Level.Trial)
    public void open() {
        opv = CpuOpv.open(Backend.valueOf(backend));
        arena = opv.allocateArena(64);
        add = opv.newVector();
        prebuilt = opv.newVector();
        cpu = opv.currentCpu();
        slot = arena.slot(cpu);
        prebuilt.on(cpu).addLong(slot, 8, 1);
    }

    @TearDown(Level.Trial)
    public void close() {
        opv.close();
    }

    /** Build a one-op vector (ADD) and run it: the per-CPU counter. */
    @Benchmark
    public int buildAndExecuteAdd() {
        add.on(cpu).addLong(slot, 0, 1);
        return opv.execute(add).raw();
    }

    /** Build compare-and-store (two ops, two immediates) and run it: a per-CPU CAS. */
    @Benchmark
    public int buildAndExecuteCompareStore() {
        long seen = next;
        add.on(cpu).compareEqLong(slot, 16, seen).storeLong(slot, 16, seen + 1);
        next = seen + 1;
        return opv.execute(add).raw();
    }

    /** Run an already built vector (the pure execute path). */
    @Benchmark
    public int executePrebuilt() {
        return opv.execute(prebuilt).raw();
    }

    /** The same prebuilt vector, 1000 times from C (libcpuopv's cpu_opv()); per call. */
    @Benchmark
    @OperationsPerInvocation(1000)
    public long cLoop() {
        return NativeCalls.execLoop(prebuilt.opsAddress(), prebuilt.size(), cpu, 0, 1000);
    }
}
