/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.cli;

import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import org.cpuopv.Backend;
import org.cpuopv.BackendUnavailableException;
import org.cpuopv.CpuOpv;
import org.cpuopv.CpuOpvException;
import org.cpuopv.OpVector;
import org.cpuopv.Outcome;
import org.cpuopv.PerCpuArena;
import org.cpuopv.Slot;
import org.cpuopv.dump.DumpSchema;
import org.cpuopv.dump.Recorder;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code cpu-opv exec FILE.json}: builds the buffers, runs the vector, prints the result and the buffers. */
@Command(name = "exec", mixinStandardHelpOptions = true,
        description = {"Run one vector described in a JSON file (named buffers with initial contents, up to 4 ops "
                + "on buffer+offset operands, a target CPU) and print the result and every buffer after it.",
            "Format: docs/cli.md; example: docs/examples/exec-push.json."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:done: every op ran",
            "1:the vector failed (EINVAL, EFAULT, or EAGAIN: an expect_fault operand faulted and nothing ran),"
                + " bad file, or backend unavailable",
            "2:usage error",
            "3:a compare stopped the vector (the ops before it ran, none after)"})
final class ExecCommand implements Callable<Integer> {
    /** Exit code of a vector a compare stopped: it ran as defined, but did not do everything. */
    static final int COMPARE_FAILED = 3;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "FILE.json", description = "The vector to run.")
    Path file;

    @Option(names = "--backend", paramLabel = "KERNEL|EMULATED|RSEQ|AUTO",
            description = "Backend (default: the file's \"backend\", else AUTO). RSEQ runs a vector as EMULATED"
                    + " does: rseq only changes the per-CPU structures.")
    Backend backend;

    @Option(names = "--cpu", paramLabel = "N", description = "Target CPU (default: the file's \"cpu\", else the current CPU).")
    Integer cpu;

    @Option(names = "--dump", paramLabel = "FILE.jsonl", description = "Record the executed vector to this dump file.")
    Path dump;

    @Option(names = "--json", description = "Print the result and buffers as one JSON object on one line.")
    boolean json;

    @Override
    public Integer call() {
        ExecSpec s = ExecSpec.read(file);
        s.checkBounds();
        Backend b = backend;
        if (b == null && s.backend != null) {
            try {
                b = Backend.valueOf(s.backend.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new Main.Failure(file + ": backend: '" + s.backend + "' is not KERNEL, EMULATED, RSEQ or AUTO");
            }
        }
        if (b == null) {
            b = Backend.AUTO;
        }
        if (s.ops.size() > 4) {
            throw new Main.Failure(file + ": ops: " + s.ops.size() + " ops, at most 4 in one vector");
        }
        Recorder recorder = dump == null ? null : Recorder.builder().streamTo(dump).closeAtExit(false).build();
        try {
            CpuOpv opv;
            try {
                opv = CpuOpv.open(b, recorder);
            } catch (BackendUnavailableException e) {
                throw new Main.Failure("the " + b + " backend is unavailable: " + e.getMessage(), e);
            }
            try (opv) {
                return run(opv, s);
            }
        } finally {
            if (recorder != null) {
                recorder.close();
            }
        }
    }

    private int run(CpuOpv opv, ExecSpec s) {
        PrintWriter out = spec.commandLine().getOut();
        int caller = opv.currentCpu();
        int target = cpu != null ? cpu : s.cpu != null ? s.cpu : caller;
        if (!opv.possibleCpus().contains(target)) {
            throw new Main.Failure("cpu " + target + " is not a possible CPU (possible: " + opv.possibleCpus() + ")");
        }
        PerCpuArena arena = opv.allocateArena(s.slotBytes);
        Slot slot = arena.slot(target);
        for (ExecSpec.Buffer buf : s.buffers.values()) {
            slot.putBytes(buf.offset, buf.init, 0, buf.init.length);
        }
        OpVector v = opv.newVector();
        v.on(target);
        for (int i = 0; i < s.ops.size(); i++) {
            try {
                add(v, slot, s.ops.get(i));
            } catch (IllegalArgumentException | IllegalStateException e) {
                throw new Main.Failure(file + ": ops[" + i + "]: " + e.getMessage(), e);
            }
        }
        Outcome outcome = null;
        CpuOpvException error = null;
        try {
            outcome = opv.execute(v);
        } catch (CpuOpvException e) {
            error = e;
        }
        if (json) {
            JsonObject o = new JsonObject();
            o.addProperty("backend", opv.backend().name());
            o.addProperty("cpu", target);
            o.addProperty("caller_cpu", caller);
            if (error != null) {
                o.addProperty("ret", -error.errno());
                o.addProperty("result", DumpSchema.RESULT_ERROR);
                o.addProperty("errno", error.errnoName());
            } else if (outcome.isExpectedFault()) {
                o.addProperty("ret", outcome.raw());
                o.addProperty("result", DumpSchema.RESULT_ERROR);
                o.addProperty("errno", "EAGAIN");
            } else {
                o.addProperty("ret", outcome.raw());
                o.addProperty("result", outcome.isDone() ? DumpSchema.RESULT_DONE : DumpSchema.RESULT_COMPARE_FAILED);
                if (outcome.isCompareFailed()) {
                    o.addProperty("failed_index", outcome.failedIndex());
                }
            }
            JsonObject bufs = new JsonObject();
            for (ExecSpec.Buffer buf : s.buffers.values()) {
                byte[] now = new byte[buf.size()];
                slot.getBytes(buf.offset, now, 0, now.length);
                JsonObject bo = new JsonObject();
                bo.addProperty("hex", hex(now, 0, now.length, ""));
                if (!buf.view.equals("hex")) {
                    bo.add(buf.view, view(buf.view, now));
                }
                bufs.add(buf.name, bo);
            }
            o.add("buffers", bufs);
            out.println(new GsonBuilder().disableHtmlEscaping().create().toJson(o));
        } else {
            out.printf("backend  %s, cpu %d (called from cpu %d), %d ops%n", opv.backend(), target, caller, s.ops.size());
            if (error != null) {
                out.printf("result   error %s: %s%n", error.errnoName(), error.getMessage());
            } else if (outcome.isExpectedFault()) {
                out.println("result   expected fault (EAGAIN): an expect_fault operand could not be accessed; nothing ran");
            } else if (outcome.isDone()) {
                out.println("result   done (every op ran)");
            } else {
                out.printf("result   compare failed at op %d (ops before it ran, none after)%n", outcome.failedIndex());
            }
            out.println("buffers after:");
            for (ExecSpec.Buffer buf : s.buffers.values()) {
                byte[] now = new byte[buf.size()];
                slot.getBytes(buf.offset, now, 0, now.length);
                out.printf("  %s (%d bytes)%n", buf.name, now.length);
                for (int at = 0; at < now.length; at += 16) {
                    out.printf("    %04x  %s%n", at, hex(now, at, Math.min(16, now.length - at), " "));
                }
                if (!buf.view.equals("hex")) {
                    out.printf("    %s: %s%n", buf.view, view(buf.view, now));
                }
            }
        }
        out.flush();
        PrintWriter err = spec.commandLine().getErr();
        if (error != null) {
            err.println("cpu-opv exec: the vector was refused: " + error.errnoName());
        } else if (outcome.isExpectedFault()) {
            err.println("cpu-opv exec: the vector did not run: EAGAIN (an expect_fault operand faulted)");
        }
        err.flush();
        return exitCode(outcome, error);
    }

    /** @return 0 done, 3 a compare stopped it, 1 it did not run (EAGAIN) or was refused (an errno) */
    static int exitCode(Outcome outcome, CpuOpvException error) {
        if (error != null || outcome.isExpectedFault()) {
            return 1;
        }
        return outcome.isDone() ? 0 : COMPARE_FAILED;
    }

    private static void add(OpVector v, Slot slot, ExecSpec.Op op) {
        long a = op.first.buffer.offset + op.first.offset;
        switch (op.type) {
            case COMPARE_EQ:
            case COMPARE_NE: {
                boolean eq = op.type == org.cpuopv.OpType.COMPARE_EQ;
                if (op.second != null) {
                    long b = op.second.buffer.offset + op.second.offset;
                    if (eq) {
                        v.compareEq(slot, a, slot, b, op.len);
                    } else {
                        v.compareNe(slot, a, slot, b, op.len);
                    }
                } else if (eq) {
                    v.compareEqBytes(slot, a, op.immediate);
                } else {
                    v.compareNeBytes(slot, a, op.immediate);
                }
                if (op.faultFirst) {
                    v.expectFaultA();
                }
                if (op.faultSecond) {
                    v.expectFaultB();
                }
                break;
            }
            case MEMCPY:
            case MEMCPY_RELEASE: {
                boolean rel = op.type == org.cpuopv.OpType.MEMCPY_RELEASE;
                if (op.second != null) {
                    long b = op.second.buffer.offset + op.second.offset;
                    if (rel) {
                        v.memcpyRelease(slot, a, slot, b, op.len);
                    } else {
                        v.memcpy(slot, a, slot, b, op.len);
                    }
                } else if (op.immediate.length == 8 && (a & 7) == 0) {
                    long value = ByteBuffer.wrap(op.immediate).order(ByteOrder.nativeOrder()).getLong();
                    if (rel) {
                        v.storeLongRelease(slot, a, value);
                    } else {
                        v.storeLong(slot, a, value);
                    }
                } else if (rel) {
                    v.storeBytesRelease(slot, a, op.immediate, 0, op.immediate.length);
                } else {
                    v.storeBytes(slot, a, op.immediate, 0, op.immediate.length);
                }
                if (op.faultFirst) {
                    v.expectFaultDst();
                }
                if (op.faultSecond) {
                    v.expectFaultSrc();
                }
                break;
            }
            default: {
                boolean rel = op.type == org.cpuopv.OpType.ADD_RELEASE;
                switch (op.len) {
                    case 8:
                        if (rel) {
                            v.addLongRelease(slot, a, op.count);
                        } else {
                            v.addLong(slot, a, op.count);
                        }
                        break;
                    case 4:
                        if (rel) {
                            v.addIntRelease(slot, a, (int) op.count);
                        } else {
                            v.addInt(slot, a, (int) op.count);
                        }
                        break;
                    case 2:
                    case 1:
                        if (rel) {
                            throw new IllegalArgumentException("len " + op.len + ": the Java API has add_release"
                                    + " for 4 and 8 byte integers only");
                        }
                        if (op.len == 2) {
                            v.addShort(slot, a, (short) op.count);
                        } else {
                            v.addByte(slot, a, (byte) op.count);
                        }
                        break;
                    default:
                        throw new IllegalArgumentException("len " + op.len + ": an add is on 1, 2, 4 or 8 bytes");
                }
                if (op.faultFirst) {
                    v.expectFaultP();
                }
            }
        }
    }

    static String hex(byte[] b, int from, int len, String sep) {
        StringBuilder sb = new StringBuilder(len * 3);
        for (int i = from; i < from + len; i++) {
            if (i > from) {
                sb.append(sep);
            }
            sb.append(Character.forDigit((b[i] >> 4) & 15, 16)).append(Character.forDigit(b[i] & 15, 16));
        }
        return sb.toString();
    }

    static JsonArray view(String view, byte[] now) {
        JsonArray a = new JsonArray();
        if (view.equals("text")) {
            int end = now.length;
            while (end > 0 && now[end - 1] == 0) {
                end--;
            }
            a.add(new String(now, 0, end, StandardCharsets.UTF_8).replace("\0", "\\0"));
            return a;
        }
        int w = Integer.parseInt(view.substring(1)) / 8;
        ByteBuffer bb = ByteBuffer.wrap(now).order(ByteOrder.nativeOrder());
        for (int i = 0; i + w <= now.length; i += w) {
            switch (w) {
                case 1: a.add(Byte.toUnsignedInt(bb.get(i))); break;
                case 2: a.add(Short.toUnsignedInt(bb.getShort(i))); break;
                case 4: a.add(Integer.toUnsignedLong(bb.getInt(i))); break;
                default: a.add("0x" + Long.toHexString(bb.getLong(i))); break;
            }
        }
        return a;
    }
}
