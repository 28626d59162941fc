/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.example;

import org.cpuopv.Backend;
import org.cpuopv.CpuOpv;
import org.cpuopv.OpVector;
import org.cpuopv.Outcome;
import org.cpuopv.PerCpuArena;

/**
 * The README's first example, kept here so that it compiles and runs as written: a per-CPU
 * counter incremented on the caller's CPU, then on every CPU, atomically on each.
 */
public final class HelloCpuOpv {
    private HelloCpuOpv() {
    }

    /**
     * Runs the example on {@link Backend#AUTO} and prints each online CPU's outcome and counter.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        try (CpuOpv opv = CpuOpv.open(Backend.AUTO);             // the kernel if /dev/cpu_opv works
             PerCpuArena counters = opv.allocateArena(Long.BYTES); // one slot per possible CPU
             OpVector v = opv.newVector()) {
            for (int cpu : opv.onlineCpus().toArray()) {
                v.reset().on(cpu).addLong(counters.slot(cpu), 0, 1); // counter += 1, on that CPU
                Outcome o = opv.execute(v);
                System.out.println("cpu " + cpu + ": " + o + ", counter "
                        + counters.slot(cpu).getLongVolatile(0) + " (" + opv.backend() + ")");
            }
        }
    }
}
