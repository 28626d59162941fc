/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.cpuopv.dump.Recorder;
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
 * What the dump recorder costs on the execute path. {@code recorder=off} is a handle opened
 * the ordinary way with no setting (what every user gets by default); {@code raw} calls the
 * backend directly, without execute's checks nor the listener branch: off - raw bounds the
 * whole of execute's own overhead, the recorder seam included. {@code ring} and
 * {@code stream} show the price when it is on.
 *
 * <pre>
 * mvn -B -Pjmh -DskipTests package
 * java -cp "src/jmh/target/classes:$(cat src/jmh/target/jmh.classpath)" org.openjdk.jmh.Main RecorderCostBenchmark
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = "-XX:+UseSerialGC")
public class RecorderCostBenchmark {
    @Param({"EMULATED"})
    public String backend;

    @Param({"off", "ring", "stream"})
    public String recorder;

    private CpuOpv opv;
    private Recorder rec;
    private Path dir;
    private OpVector vector;
    private int cpu;

    @Setup(Level.Trial)
    public void open() throws Exception {
        switch (recorder) {
            case "off":
                rec = null;
                break;
            case "ring":
                rec = Recorder.builder().ring(1024).build();
                break;
            default:
                dir = Files.createTempDirectory("cpuopv-bench");
                rec = Recorder.builder().streamTo(dir.resolve("b.jsonl")).build();
                break;
        }
        opv = CpuOpv.open(Backend.valueOf(backend), rec);
        PerCpuArena arena = opv.allocateArena(64);
        cpu = opv.currentCpu();
        vector = opv.newVector().on(cpu).addLong(arena.slot(cpu), 0, 1);
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        opv.close();
        if (rec != null) {
            rec.close();
            System.out.println("recorder: " + rec);
        }
        if (dir != null) {
            Files.deleteIfExists(dir.resolve("b.jsonl"));
            Files.deleteIfExists(dir);
        }
    }

    /** One prebuilt 1-op ADD through {@link CpuOpv#execute(OpVector)}. */
    @Benchmark
    public int execute() {
        return opv.execute(vector).raw();
    }

    /** The same vector straight to the backend: no checks, no listener branch. */
    @Benchmark
    public int raw() {
        return opv.rawExec(vector.opsAddress(), vector.size(), cpu, 0);
    }
}
