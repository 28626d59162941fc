/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import org.cpuopv.OpType;
import org.cpuopv.dump.DumpReader;
import org.cpuopv.dump.DumpSchema;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code cpu-opv dump FILE.jsonl}: pretty-prints and filters a recorded dump. */
@Command(name = "dump", mixinStandardHelpOptions = true,
        description = {"Read a dump recorded by the recorder (docs/dump-schema.md) and print its vectors, "
                + "optionally only those matching every filter given.",
            "Dropped-vector notices and the totals line are always reported."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:read (even when no vector matched)", "1:unreadable file or a line that is not a dump line",
            "2:usage error"})
final class DumpCommand implements Callable<Integer> {
    enum Format { text, json, jsonl }

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "FILE.jsonl", description = "The dump file.")
    Path file;

    @Option(names = "--cpu", paramLabel = "N", description = "Only vectors run on (targeted at) CPU N.")
    Integer cpu;

    @Option(names = "--caller-cpu", paramLabel = "N", description = "Only vectors called from CPU N.")
    Integer callerCpu;

    @Option(names = "--op", paramLabel = "OP", description = "Only vectors with an op of this type "
            + "(add, compare_eq, CPU_MEMCPY_OP, ...).")
    String op;

    @Option(names = "--result", paramLabel = "R", description = "Only vectors with this result: done, "
            + "compare_failed, error, or an errno name (EINVAL, EFAULT, EAGAIN).")
    String result;

    @Option(names = "--thread", paramLabel = "NAME", description = "Only vectors called from this thread name.")
    String thread;

    @Option(names = "--format", paramLabel = "text|json|jsonl", defaultValue = "text",
            description = "text (default: one block per vector), json (pretty-printed objects), "
                    + "jsonl (the matching lines, compact: filter again later).")
    Format format;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        OpType opFilter = null;
        if (op != null) {
            try {
                opFilter = ExecSpec.opType(op, "--op", "--op");
            } catch (Main.Failure f) {
                throw new Main.UsageError("--op: '" + op + "' is not an op (compare_eq, compare_ne, memcpy,"
                        + " memcpy_release, add, add_release, or CPU_..._OP)");
            }
        }
        String resultFilter = result == null ? null : normalizeResult(result);
        List<JsonObject> lines;
        try {
            lines = DumpReader.read(file);
        } catch (NoSuchFileException e) {
            throw new Main.Failure("cannot read " + file + ": no such file");
        } catch (IOException e) {
            throw new Main.Failure("cannot read " + file + ": " + e.getMessage());
        } catch (DumpReader.FormatException e) {
            throw new Main.Failure(e.getMessage());
        }
        Gson pretty = new GsonBuilder().disableHtmlEscaping().setPrettyPrinting().create();
        Gson compact = new GsonBuilder().disableHtmlEscaping().create();
        long vectors = 0;
        long shown = 0;
        long dropped = 0;
        JsonObject end = null;
        for (JsonObject o : lines) {
            String type = o.get("type").getAsString();
            if (type.equals(DumpSchema.TYPE_VECTOR)) {
                vectors++;
                if (!matches(o, opFilter, resultFilter)) {
                    continue;
                }
                shown++;
                switch (format) {
                    case json: out.println(pretty.toJson(o)); break;
                    case jsonl: out.println(compact.toJson(o)); break;
                    default: printVector(out, o); break;
                }
            } else if (type.equals(DumpSchema.TYPE_DROPPED)) {
                dropped += num(o, "count");
                if (format == Format.text) {
                    out.printf("!! %d vectors dropped here (queue full or recorded after close; %d so far)%n",
                            num(o, "count"), num(o, "total"));
                }
            } else if (type.equals(DumpSchema.TYPE_HEADER)) {
                if (format == Format.text) {
                    out.printf("# dump of pid %s, started %s, %s, ring %s, source %s%n", str(o, "pid"), str(o, "time"),
                            str(o, "java") == null ? "?" : "Java " + str(o, "java"), str(o, "ring"), str(o, "source"));
                }
            } else if (type.equals(DumpSchema.TYPE_END)) {
                end = o;
            }
        }
        if (format == Format.text) {
            out.printf("# %d of %d vectors shown; %d dropped; %s%n", shown, vectors, dropped, end == null
                    ? "no end line (the recorder was not closed: the process may have died; the last lines may be missing)"
                    : "closed cleanly (recorded " + str(end, "recorded") + ", dropped " + str(end, "dropped") + ")");
        }
        out.flush();
        return 0;
    }

    static String normalizeResult(String r) {
        String s = r.trim();
        String lower = s.toLowerCase(Locale.ROOT);
        if (lower.equals(DumpSchema.RESULT_DONE) || lower.equals(DumpSchema.RESULT_COMPARE_FAILED)
                || lower.equals(DumpSchema.RESULT_ERROR)) {
            return lower;
        }
        if (s.toUpperCase(Locale.ROOT).matches("E[A-Z0-9]+")) {
            return s.toUpperCase(Locale.ROOT);
        }
        throw new Main.UsageError("--result: '" + r + "' is not done, compare_failed, error or an errno name like EINVAL");
    }

    private boolean matches(JsonObject o, OpType opFilter, String resultFilter) {
        if (cpu != null && num(o, "cpu") != cpu) {
            return false;
        }
        if (callerCpu != null && num(o, "caller_cpu") != callerCpu) {
            return false;
        }
        if (thread != null && !thread.equals(str(o, "thread"))) {
            return false;
        }
        if (resultFilter != null) {
            boolean isErrno = resultFilter.startsWith("E");
            if (isErrno ? !resultFilter.equals(str(o, "errno")) : !resultFilter.equals(str(o, "result"))) {
                return false;
            }
        }
        if (opFilter != null) {
            boolean any = false;
            if (o.has("ops") && o.get("ops").isJsonArray()) {
                for (JsonElement e : o.getAsJsonArray("ops")) {
                    if (e.isJsonObject() && opFilter.abiName().equals(str(e.getAsJsonObject(), "op"))) {
                        any = true;
                    }
                }
            }
            return any;
        }
        return true;
    }

    private static void printVector(PrintWriter out, JsonObject o) {
        String res = str(o, "result");
        if (DumpSchema.RESULT_COMPARE_FAILED.equals(res)) {
            res = "compare failed at op " + str(o, "failed_index");
        } else if (DumpSchema.RESULT_ERROR.equals(res)) {
            res = "error " + str(o, "errno");
        }
        out.printf("#%s %s %s cpu %s <- cpu %s, thread %s (%s), %s ns: %s%n", str(o, "seq"), str(o, "time"),
                str(o, "backend"), str(o, "cpu"), str(o, "caller_cpu"), str(o, "thread"), str(o, "thread_id"),
                str(o, "duration_ns"), res);
        if (!o.has("ops") || !o.get("ops").isJsonArray()) {
            return;
        }
        int i = 0;
        for (JsonElement e : o.getAsJsonArray("ops")) {
            out.println("    [" + i++ + "] " + describeOp(e.getAsJsonObject()));
        }
    }

    /**
     * One op, e.g. {@code CPU_COMPARE_EQ_OP len 8 a=0x7f..100 (arena#1 cpu 1 +0x0, seen 0x2000)
     * b=immediate 0x1000}; a version-1 line shows addresses only.
     */
    static String describeOp(JsonObject op) {
        StringBuilder sb = new StringBuilder().append(str(op, "op")).append(" len ").append(str(op, "len"));
        OpType t = null;
        for (OpType c : OpType.values()) {
            if (c.abiName().equals(str(op, "op"))) {
                t = c;
            }
        }
        String[] names = t == null ? new String[] {"first", "second"}
                : t.isArithmetic() ? new String[] {t.firstOperandName()}
                : new String[] {t.firstOperandName(), t.secondOperandName()};
        for (String k : names) {
            if (op.has(k)) {
                sb.append(' ').append(k).append('=').append(operand(op, k));
            }
        }
        if (op.has("count")) {
            sb.append(" count=").append(str(op, "count"));
        }
        return sb.toString();
    }

    private static String operand(JsonObject op, String k) {
        StringBuilder sb = new StringBuilder();
        boolean immediate = op.has(k + "_immediate") && op.get(k + "_immediate").getAsBoolean();
        if (immediate && (op.has(k + "_value") || op.has(k + "_bytes"))) {
            sb.append("immediate ").append(value(op, k));
        } else {
            sb.append(str(op, k));
            if (immediate) {
                sb.append("(immediate)"); // version 1: where, not what
            }
            StringBuilder paren = new StringBuilder();
            if (op.has(k + "_in") && op.get(k + "_in").isJsonObject()) {
                JsonObject in = op.getAsJsonObject(k + "_in");
                paren.append(str(in, "region"));
                if (in.has("cpu")) {
                    paren.append(" cpu ").append(str(in, "cpu"));
                }
                if (in.has("page")) {
                    paren.append(" page ").append(str(in, "page"));
                }
                long off = num(in, "offset");
                paren.append(" +0x").append(Long.toHexString(off));
            }
            if (op.has(k + "_seen_value") || op.has(k + "_seen_bytes")) {
                paren.append(paren.length() == 0 ? "" : ", ").append("seen ").append(value(op, k + "_seen"));
            }
            if (paren.length() > 0) {
                sb.append(" (").append(paren).append(')');
            }
        }
        if (op.has("expect_fault_" + k) && op.get("expect_fault_" + k).getAsBoolean()) {
            sb.append("(expect_fault)");
        }
        return sb.toString();
    }

    /** {@code 0x1000}, or {@code bytes 010203} ({@code ...} when the recorder cut them). */
    private static String value(JsonObject op, String k) {
        if (op.has(k + "_value")) {
            return str(op, k + "_value");
        }
        String b = str(op, k + "_bytes");
        boolean cut = op.has(k + "_bytes_cut") && op.get(k + "_bytes_cut").getAsBoolean();
        return "bytes " + (b == null || b.isEmpty() ? "(none)" : b) + (cut ? "..." : "");
    }

    private static long num(JsonObject o, String k) {
        JsonElement e = o.get(k);
        try {
            return e == null || e.isJsonNull() ? Long.MIN_VALUE : e.getAsLong();
        } catch (RuntimeException x) {
            return Long.MIN_VALUE;
        }
    }

    private static String str(JsonObject o, String k) {
        JsonElement e = o.get(k);
        return e == null || e.isJsonNull() ? null : e.isJsonPrimitive() ? e.getAsString() : e.toString();
    }
}
