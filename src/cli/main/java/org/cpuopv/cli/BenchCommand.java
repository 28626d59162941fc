/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.LongSupplier;

import org.cpuopv.Backend;
import org.cpuopv.BackendUnavailableException;
import org.cpuopv.CpuOpv;
import org.cpuopv.CpuOpvException;
import org.cpuopv.CpuSet;
import org.cpuopv.OpVector;
import org.cpuopv.PerCpuArena;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code cpu-opv bench}: a quick table of per-call costs from Java, as ratios to the flag query. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Time a few calls from Java and print ns per call and the ratio to the flag query "
                + "(the cheapest round trip into the backend). 'local' vectors target the CPU the thread is on "
                + "at each call (one sched_getcpu included), 'remote' ones another online CPU (an IPI with the "
                + "kernel backend).",
            "A quick look, not a benchmark harness: for careful numbers use the JMH benchmarks (src/jmh)."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:ran", "1:backend unavailable", "2:usage error"})
final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--backend", paramLabel = "KERNEL|EMULATED|RSEQ|AUTO", defaultValue = "AUTO",
            description = "Backend (default AUTO). RSEQ runs vectors as EMULATED does: rseq only changes the"
                    + " per-CPU structures.")
    Backend backend;

    @Option(names = "--millis", paramLabel = "MS", defaultValue = "300",
            description = "Measuring time per case, after as long again of warm-up (default 300).")
    int millis;

    private static final class Row {
        final String name;
        final double ns;
        final String note;

        Row(String name, double ns, String note) {
            this.name = name;
            this.ns = ns;
            this.note = note;
        }
    }

    @Override
    public Integer call() {
        if (millis < 1 || millis > 60_000) {
            throw new Main.UsageError("--millis: " + millis + " is not in 1..60000");
        }
        PrintWriter out = spec.commandLine().getOut();
        CpuOpv opv;
        try {
            opv = CpuOpv.open(backend);
        } catch (BackendUnavailableException e) {
            throw new Main.Failure("the " + backend + " backend is unavailable: " + e.getMessage(), e);
        }
        try (opv) {
            CpuSet possible = opv.possibleCpus();
            CpuSet online = opv.onlineCpus();
            PerCpuArena arena = opv.allocateArena(8192);
            int n = possible.max() + 1;
            OpVector[] add = new OpVector[n];
            OpVector[] cas = new OpVector[n];
            OpVector[] four = new OpVector[n];
            OpVector[] copy = new OpVector[n];
            for (int i = 0; i < possible.size(); i++) {
                int c = possible.get(i);
                add[c] = opv.newVector().on(c).addLong(arena.slot(c), 0, 1);
                cas[c] = opv.newVector().on(c).compareNeLong(arena.slot(c), 8, -1).storeLong(arena.slot(c), 16, 1);
                four[c] = opv.newVector().on(c).compareNeLong(arena.slot(c), 8, -1).storeLong(arena.slot(c), 16, 1)
                        .addLong(arena.slot(c), 0, 1).addLongRelease(arena.slot(c), 24, 1);
                copy[c] = opv.newVector().on(c).memcpy(arena.slot(c), 4096, arena.slot(c), 0, 4096);
            }
            List<Row> rows = new ArrayList<>();
            rows.add(time("flag query (CPU_OP_NR_FLAG)", opv::supportedOps));
            rows.add(time("sched_getcpu (currentCpu)", opv::currentCpu));
            rows.add(time("add, 1 op, local CPU", () -> opv.execute(add[opv.currentCpu()]).raw()));
            rows.add(time("compare+store, 2 ops, local", () -> opv.execute(cas[opv.currentCpu()]).raw()));
            rows.add(time("4 ops, local", () -> opv.execute(four[opv.currentCpu()]).raw()));
            rows.add(time("memcpy 4096 B, local", () -> opv.execute(copy[opv.currentCpu()]).raw()));
            if (online.size() > 1) {
                rows.add(time("add, 1 op, remote CPU", () -> opv.execute(add[other(online, opv.currentCpu())]).raw()));
                rows.add(time("compare+store, 2 ops, remote", () -> opv.execute(cas[other(online, opv.currentCpu())]).raw()));
            } else {
                rows.add(new Row("add, 1 op, remote CPU", Double.NaN, "n/a: one online CPU"));
            }
            double base = rows.get(0).ns;
            out.printf("cpu-opv bench: %s backend, %d online CPUs (%s), %d ms per case%n", opv.backend(), online.size(),
                    online, millis);
            out.printf("%-32s %10s %14s%n", "case", "ns/call", "x flag query");
            for (Row r : rows) {
                if (r.note != null) {
                    out.printf("%-32s %10s %14s  %s%n", r.name, "-", "-", r.note);
                } else {
                    out.printf("%-32s %10.1f %14.2f%n", r.name, r.ns, r.ns / base);
                }
            }
            out.flush();
        }
        return 0;
    }

    private static int other(CpuSet online, int cpu) {
        for (int i = 0; i < online.size(); i++) {
            if (online.get(i) != cpu) {
                return online.get(i);
            }
        }
        return cpu;
    }

    private volatile long sink;

    private Row time(String name, LongSupplier call) {
        try {
            run(call, millis * 1_000_000L);
            long[] done = run(call, millis * 1_000_000L);
            return new Row(name, (double) done[1] / done[0], null);
        } catch (CpuOpvException e) {
            return new Row(name, Double.NaN, "n/a: " + e.errnoName());
        }
    }

    /** @return {calls, elapsed ns}, checking the clock every 256 calls */
    private long[] run(LongSupplier call, long budgetNanos) {
        long calls = 0;
        long acc = 0;
        long start = System.nanoTime();
        long now;
        do {
            for (int i = 0; i < 256; i++) {
                acc += call.getAsLong();
            }
            calls += 256;
            now = System.nanoTime();
        } while (now - start < budgetNanos);
        sink = acc;
        return new long[] {calls, now - start};
    }
}
