/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
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

/** {@code cpu-opv dump FILE.jsonl}: prints and filters a recorded dump, streaming it. */
@Command(name = "dump", mixinStandardHelpOptions = true,
        description = {"Read a dump recorded by the recorder (docs/dump-schema.md) and print its vectors, "
                + "optionally only those matching every filter given. The file is read as a stream "
                + "(any size); --follow keeps reading it as it grows.",
            "Dropped-vector notices and the totals line are always reported (on stderr with --json).",
            "--pull PID asks a running JVM (same user) to write its recorder's ring, then reads that."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:read; with a filter: at least one vector matched",
            "1:unreadable file, a line that is not a dump line, or --pull failed",
            "2:usage error",
            "3:a filter was given and no vector matched"})
final class DumpCommand implements Callable<Integer> {
    enum Format { text, json, jsonl, pretty }

    /** Exit code: a filter was given and no vector matched it (grep's "no match", 1 being taken). */
    static final int NO_MATCH = 3;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "FILE.jsonl", arity = "0..1", description = "The dump file (with --pull: where the "
            + "JVM writes its ring; default a new file in the temporary directory).")
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

    @Option(names = "--format", paramLabel = "text|json|pretty", defaultValue = "text",
            description = "text (default: one block per vector), json (the matching vector lines, compact, one per "
                    + "line: for jq, or to filter again; jsonl is the same), pretty (indented JSON objects).")
    Format format;

    @Option(names = "--json", description = "Same as --format json: stdout has nothing but one vector object per line.")
    boolean json;

    @Option(names = "--last", paramLabel = "N", description = "Only the last N matching vectors (with --follow: "
            + "the last N so far, then every new one).")
    Integer last;

    @Option(names = {"-f", "--follow"}, description = "Keep reading as the file grows (like tail -f) until "
            + "interrupted; a file truncated meanwhile (a recorder restarted) is read again from its start.")
    boolean follow;

    @Option(names = {"-c", "--count"}, description = "Print only the number of matching vectors.")
    boolean count;

    @Option(names = "--pull", paramLabel = "PID", description = "Ask the JVM with this pid to write its recorder's "
            + "ring (JMX operation writeRing of org.cpuopv:type=DumpRecorder, through the attach API) and read it.")
    Long pull;

    @Option(names = "--recorder", paramLabel = "NAME", description = "With --pull: the recorder registered with "
            + "Recorder.Builder.mbean(NAME), when the JVM has several.")
    String recorderName;

    @Option(names = "--poll-millis", paramLabel = "MS", defaultValue = "200", hidden = true,
            description = "With --follow: how often to look for more lines.")
    long pollMillis;

    /** What the text and the totals need to know while streaming. */
    private final class State {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        final Format fmt = json ? Format.json : format == Format.jsonl ? Format.json : format;
        final OpType opFilter;
        final String resultFilter;
        final ArrayDeque<JsonObject> window = last == null ? null : new ArrayDeque<>();
        long vectors;
        long shown;   // matched the filters
        long printed; // of those, printed (--last prints fewer)
        long dropped;
        int windowVectors;
        JsonObject end;

        State(OpType opFilter, String resultFilter) {
            this.opFilter = opFilter;
            this.resultFilter = resultFilter;
        }

        void line(JsonObject o) {
            String type = o.get("type").getAsString();
            if (type.equals(DumpSchema.TYPE_VECTOR)) {
                vectors++;
                if (matches(o, opFilter, resultFilter)) {
                    shown++;
                    later(o, true);
                }
            } else if (type.equals(DumpSchema.TYPE_DROPPED)) {
                dropped += Math.max(0, num(o, "count"));
                later(o, false);
            } else if (type.equals(DumpSchema.TYPE_HEADER)) {
                if (fmt == Format.text && !count) {
                    out.printf("# dump of pid %s, started %s, %s, ring %s, source %s%n", str(o, "pid"), str(o, "time"),
                            str(o, "java") == null ? "?" : "Java " + str(o, "java"), str(o, "ring"), str(o, "source"));
                }
            } else if (type.equals(DumpSchema.TYPE_END)) {
                end = o;
            }
        }

        /** Prints now, or keeps it in the --last window until the end of what is there. */
        private void later(JsonObject o, boolean vector) {
            if (window == null) {
                print(o, vector);
                return;
            }
            window.addLast(o);
            if (vector) {
                windowVectors++;
            }
            while (windowVectors > last || (!window.isEmpty() && windowVectors == 0 && last == 0)) {
                JsonObject gone = window.removeFirst();
                if (DumpSchema.TYPE_VECTOR.equals(str(gone, "type"))) {
                    windowVectors--;
                }
            }
        }

        /** End of what the file holds now: the --last window is printed (once; then lines print as they come). */
        void caughtUp() {
            if (window == null) {
                return;
            }
            for (JsonObject o : window) {
                print(o, DumpSchema.TYPE_VECTOR.equals(str(o, "type")));
            }
            window.clear();
            windowVectors = 0;
        }

        boolean windowing() {
            return window != null;
        }

        private void print(JsonObject o, boolean vector) {
            if (count) {
                return;
            }
            if (!vector) {
                String notice = String.format("!! %d vectors dropped here (queue full or recorded after close; %d so far)",
                        num(o, "count"), num(o, "total"));
                if (fmt == Format.text) {
                    out.println(notice);
                } else {
                    err.println("cpu-opv dump: " + notice);
                }
                return;
            }
            printed++;
            switch (fmt) {
                case pretty: out.println(PRETTY.toJson(o)); break;
                case json: out.println(COMPACT.toJson(o)); break;
                default: printVector(out, o); break;
            }
            if (follow) {
                out.flush();
            }
        }
    }

    private static final Gson PRETTY = new GsonBuilder().disableHtmlEscaping().setPrettyPrinting().create();
    private static final Gson COMPACT = new GsonBuilder().disableHtmlEscaping().create();

    @Override
    public Integer call() throws Exception {
        OpType opFilter = null;
        if (op != null) {
            try {
                opFilter = ExecSpec.opType(op, "--op", "--op");
            } catch (Main.Failure f) {
                throw new Main.UsageError("--op: '" + op + "' is not an op (compare_eq, compare_ne, memcpy,"
                        + " memcpy_release, add, add_release, or CPU_..._OP)");
            }
        }
        if (last != null && last < 0) {
            throw new Main.UsageError("--last: " + last + " is negative");
        }
        if (pull != null && follow) {
            throw new Main.UsageError("--follow: a pulled ring is a file that does not grow");
        }
        if (count && follow) {
            throw new Main.UsageError("--count: a count of a file that is followed would never be printed");
        }
        if (pull == null && file == null) {
            throw new Main.UsageError("a dump file is needed (or --pull PID)");
        }
        if (recorderName != null && pull == null) {
            throw new Main.UsageError("--recorder: only with --pull");
        }
        String resultFilter = result == null ? null : normalizeResult(result);
        boolean filtered = cpu != null || callerCpu != null || op != null || result != null || thread != null;
        Path path = file;
        if (pull != null) {
            path = Pull.ring(pull, file, recorderName, spec.commandLine().getErr());
        }
        State st = new State(opFilter, resultFilter);
        boolean cutShort = read(path, st);
        PrintWriter out = st.out;
        if (count) {
            out.println(st.shown);
        }
        String ending = st.end == null
                ? (cutShort ? "the last line is cut short and no end line (the process died while writing?)"
                        : "no end line (the recorder was not closed: the process may have died; the last lines may be missing)")
                : "closed cleanly (recorded " + str(st.end, "recorded") + ", dropped " + str(st.end, "dropped") + ")";
        String lastOnly = st.printed < st.shown ? " (the last " + st.printed + " of " + st.shown + " matching)" : "";
        if (st.fmt == Format.text && !count) {
            out.printf("# %d of %d vectors shown%s; %d dropped; %s%n", st.printed, st.vectors, lastOnly, st.dropped,
                    ending);
        } else if (st.end == null || st.dropped > 0) {
            st.err.printf("cpu-opv dump: %d of %d vectors matched; %d dropped; %s%n", st.shown, st.vectors, st.dropped,
                    ending);
        }
        out.flush();
        st.err.flush();
        return filtered && st.shown == 0 ? NO_MATCH : 0;
    }

    /** Streams the file through the state; with --follow until interrupted. @return cut short at the end */
    private boolean read(Path path, State st) {
        DumpReader.Cursor c = open(path);
        try {
            for (;;) {
                JsonObject o;
                while ((o = next(c)) != null) {
                    st.line(o);
                }
                if (!follow) {
                    try {
                        o = c.finish();
                    } catch (IOException e) {
                        throw new Main.Failure("cannot read " + path + ": " + e.getMessage());
                    }
                    if (o != null) {
                        st.line(o);
                    }
                    st.caughtUp();
                    return c.cutShort();
                }
                st.caughtUp();
                st.out.flush();
                try {
                    Thread.sleep(Math.max(10, pollMillis));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt(); // asked to stop following: the totals so far
                    return false;
                }
                long size;
                try {
                    size = Files.size(path);
                } catch (IOException e) {
                    continue; // rotated away for a moment: look again
                }
                if (size < c.bytesRead()) {
                    st.err.println("cpu-opv dump: " + path + " was truncated; reading it from the start");
                    st.err.flush();
                    closeQuietly(c);
                    c = open(path);
                }
            }
        } finally {
            closeQuietly(c);
        }
    }

    private static DumpReader.Cursor open(Path path) {
        try {
            return DumpReader.open(path);
        } catch (NoSuchFileException e) {
            throw new Main.Failure("cannot read " + path + ": no such file");
        } catch (IOException e) {
            throw new Main.Failure("cannot read " + path + ": " + e.getMessage());
        }
    }

    private static JsonObject next(DumpReader.Cursor c) {
        try {
            return c.next();
        } catch (IOException e) {
            throw new Main.Failure("cannot read " + c.file() + ": " + e.getMessage());
        } catch (DumpReader.FormatException e) {
            throw new Main.Failure(e.getMessage());
        }
    }

    private static void closeQuietly(DumpReader.Cursor c) {
        try {
            c.close();
        } catch (IOException e) {
            // read only
        }
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
