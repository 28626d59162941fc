/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;

import org.cpuopv.Backend;
import org.cpuopv.BackendUnavailableException;
import org.cpuopv.CpuOpv;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code cpu-opv info}: module, device, limits, CPUs, the module's counters. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = {"Show whether the cpu_opv module is loaded, its version, the ops and vector length "
                + "it supports, the possible and online CPUs, and the module's counters "
                + "(/sys/class/misc/cpu_opv/stats, each summed over CPUs).",
            "Without the module it says so and shows the emulated backend's limits."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:reported (module loaded or not)", "1:--check and the kernel backend is unusable",
            "2:usage error"})
final class InfoCommand implements java.util.concurrent.Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "One JSON object instead of the table.")
    boolean json;

    @Option(names = "--check", description = "Exit 1 when the kernel backend cannot be used.")
    boolean check;

    @Option(names = "--sysfs", hidden = true, defaultValue = "/sys", description = "Root of sysfs (tests).")
    Path sysfsRoot;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Sysfs sys = new Sysfs(sysfsRoot);
        String version = sys.moduleVersion();
        boolean loaded = sys.moduleLoaded();
        BackendUnavailableException why = CpuOpv.kernelUnavailabilityCause();
        Backend backend = why == null ? Backend.KERNEL : Backend.EMULATED;
        int ops;
        int maxLen;
        try (CpuOpv opv = CpuOpv.open(backend)) {
            ops = opv.supportedOps();
            maxLen = opv.maxVectorLength();
        }
        Map<String, Long> counters = sys.counters();
        String noRseq = why == null ? null : CpuOpv.rseqUnavailabilityReason();
        Backend structures = why == null ? Backend.KERNEL : noRseq == null ? Backend.RSEQ : Backend.EMULATED;
        String downcalls = structures == Backend.EMULATED ? "none (Java under per-CPU locks)"
                : CpuOpv.downcallMechanism();
        String possible = orUnknown(sys.cpuList("possible"));
        String online = orUnknown(sys.cpuList("online"));

        if (json) {
            JsonObject o = new JsonObject();
            JsonObject m = new JsonObject();
            m.addProperty("loaded", loaded);
            m.addProperty("version", version);
            o.add("module", m);
            JsonObject d = new JsonObject();
            d.addProperty("path", "/dev/cpu_opv");
            d.addProperty("usable", why == null);
            d.addProperty("error", why == null ? null : why.getMessage());
            o.add("device", d);
            o.addProperty("backend", backend.name());
            o.addProperty("ops_supported", ops);
            o.addProperty("max_vector_length", maxLen);
            JsonObject st = new JsonObject();
            st.addProperty("backend", structures.name());
            st.addProperty("downcalls", downcalls);
            o.add("structures", st);
            o.addProperty("possible_cpus", possible);
            o.addProperty("online_cpus", online);
            JsonObject c = new JsonObject();
            counters.forEach(c::addProperty);
            o.add("counters", counters.isEmpty() ? null : c);
            out.println(new GsonBuilder().disableHtmlEscaping().serializeNulls().create().toJson(o));
        } else {
            out.printf("module         %s%n", loaded
                    ? "cpu_opv loaded, version " + (version == null ? "(no version file)" : version)
                    : "cpu_opv not loaded (" + sys.moduleDir() + " is missing)");
            out.printf("device         %s%n", why == null ? "/dev/cpu_opv usable" : why.getMessage());
            String via = why == null ? "" : " (emulated backend: no module)";
            out.printf("ops supported  %d%s%n", ops, via);
            out.printf("max vector     %d ops%s%n", maxLen, via);
            out.printf("structures     %s backend (Backend.AUTO), downcalls %s%n", structures, downcalls);
            out.printf("possible CPUs  %s%n", possible);
            out.printf("online CPUs    %s%n", online);
            if (counters.isEmpty()) {
                out.printf("counters       none (%s is missing%s)%n", sys.statsDir(),
                        loaded ? "" : ": the module is not loaded");
            } else {
                out.printf("counters       (%s, summed over CPUs)%n", sys.statsDir());
                counters.forEach((k, v) -> out.printf("  %-15s %d%n", k, v));
            }
        }
        out.flush();
        return check && why != null ? 1 : 0;
    }

    private static String orUnknown(String s) {
        return s == null ? "unknown" : s;
    }
}
