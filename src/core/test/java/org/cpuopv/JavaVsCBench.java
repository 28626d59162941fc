/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv;

import java.util.Arrays;
import org.cpuopv.internal.NativeCalls;

/**
 * The cost of a Java {@code execute} against the C {@code cpu_opv()} call for the same prebuilt
 * vector (a 1-op 8-byte add on the CPU the thread is pinned to), measured in one process with
 * interleaved batches so that drift hits both alike; prints the median per batch and the
 * ratio. Run in the test VM (kernel backend):
 * {@code java -cp target/test-classes:target/classes:target/lib/* org.cpuopv.JavaVsCBench}.
 */
public final class JavaVsCBench {
    private JavaVsCBench() {
    }

    public static void main(String[] args) {
        Backend backend = Backend.valueOf(args.length > 0 ? args[0] : "KERNEL");
        int rounds = Integer.getInteger("rounds", 31);
        int batch = Integer.getInteger("batch", 500);
        try (CpuOpv opv = CpuOpv.open(backend);
             PerCpuArena arena = opv.allocateArena(Long.BYTES);
             OpVector v = opv.newVector()) {
            int cpu = opv.onlineCpus().toArray()[0];
            long[] mask = new long[1];
            mask[0] = 1L << cpu;
            if (NativeCalls.setAffinity(mask) != 0) {
                throw new IllegalStateException("cannot pin the thread to cpu " + cpu);
            }
            v.on(cpu).addLong(arena.slot(cpu), 0, 1);
            double[] java = new double[rounds];
            double[] c = new double[rounds];
            int warmBatches = Integer.getInteger("warm", 100);
            for (int warm = 0; warm < warmBatches; warm++) {
                javaBatch(opv, v, batch);
                cBatch(backend, v, cpu, batch);
            }
            for (int r = 0; r < rounds; r++) {
                java[r] = javaBatch(opv, v, batch) / (double) batch;
                c[r] = cBatch(backend, v, cpu, batch) / (double) batch;
            }
            Arrays.sort(java);
            Arrays.sort(c);
            double jm = java[rounds / 2];
            double cm = c[rounds / 2];
            long total = (long) (warmBatches + rounds) * batch * (backend == Backend.KERNEL ? 2 : 1);
            long counted = arena.slot(cpu).getLongVolatile(0);
            if (counted != total) {
                throw new IllegalStateException("counter " + counted + ", expected " + total);
            }
            System.out.printf("java execute vs C cpu_opv(), 1-op add on cpu %d (%s), %d rounds x %d:%n",
                    cpu, opv.backend(), rounds, batch);
            System.out.printf("  java %.0f ns/op, C %.0f ns/op, ratio %.2f (goal <= 1.3)%n", jm, cm, jm / cm);
        }
    }

    private static long javaBatch(CpuOpv opv, OpVector v, int n) {
        long t = System.nanoTime();
        for (int i = 0; i < n; i++) {
            if (!opv.execute(v).isDone()) {
                throw new IllegalStateException("add did not run");
            }
        }
        return System.nanoTime() - t;
    }

    private static long cBatch(Backend backend, OpVector v, int cpu, int n) {
        if (backend != Backend.KERNEL) {
            return 1;   // no device: nothing for C to call
        }
        long ns = NativeCalls.execLoop(v.opsAddress(), v.size(), cpu, 0, n);
        if (ns < 0) {
            throw new IllegalStateException("cpu_opv() failed: errno " + -ns);
        }
        return ns;
    }
}
