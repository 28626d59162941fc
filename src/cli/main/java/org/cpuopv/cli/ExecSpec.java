/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;

import org.cpuopv.OpType;

/** The input of {@code cpu-opv exec}, parsed and checked (the format is in docs/cli.md). */
final class ExecSpec {
    /** Buffers start at multiples of this (so typed operands at offset 0 are aligned). */
    static final int BUFFER_ALIGN = 64;
    private static final Set<String> TOP = Set.of("cpu", "backend", "buffers", "ops", "comment");
    private static final Set<String> VIEWS = Set.of("hex", "u8", "u16", "u32", "u64", "text");

    /** A named buffer: its initial bytes, how to show it, where it sits in the CPU's slot. */
    static final class Buffer {
        final String name;
        final byte[] init;
        final String view;
        final int offset;

        Buffer(String name, byte[] init, String view, int offset) {
            this.name = name;
            this.init = init;
            this.view = view;
            this.offset = offset;
        }

        int size() {
            return init.length;
        }
    }

    /** An operand: a buffer and an offset in it. */
    static final class Ref {
        final Buffer buffer;
        final long offset;

        Ref(Buffer buffer, long offset) {
            this.buffer = buffer;
            this.offset = offset;
        }

        @Override
        public String toString() {
            return buffer.name + "+" + offset;
        }
    }

    /** One op: the type, operands (second null for immediates and adds), immediate bytes or add count. */
    static final class Op {
        final OpType type;
        final Ref first;
        final Ref second;
        final byte[] immediate;
        final long count;
        final int len;
        final boolean faultFirst;
        final boolean faultSecond;

        Op(OpType type, Ref first, Ref second, byte[] immediate, long count, int len, boolean faultFirst, boolean faultSecond) {
            this.type = type;
            this.first = first;
            this.second = second;
            this.immediate = immediate;
            this.count = count;
            this.len = len;
            this.faultFirst = faultFirst;
            this.faultSecond = faultSecond;
        }
    }

    final String source;
    final Integer cpu;          // null: the calling thread's current CPU
    final String backend;       // null: not given
    final Map<String, Buffer> buffers;
    final List<Op> ops;
    final int slotBytes;

    private ExecSpec(String source, Integer cpu, String backend, Map<String, Buffer> buffers, List<Op> ops, int slotBytes) {
        this.source = source;
        this.cpu = cpu;
        this.backend = backend;
        this.buffers = buffers;
        this.ops = ops;
        this.slotBytes = slotBytes;
    }

    static ExecSpec read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new Main.Failure("cannot read " + file + ": no such file");
        } catch (IOException e) {
            throw new Main.Failure("cannot read " + file + ": " + e.getMessage());
        }
        return parse(text, file.toString());
    }

    static ExecSpec parse(String text, String source) {
        JsonElement root;
        try {
            root = JsonParser.parseString(text);
        } catch (JsonParseException e) {
            Throwable t = e.getCause() != null ? e.getCause() : e;
            throw new Main.Failure(source + ": not valid JSON: " + t.getMessage());
        }
        if (!root.isJsonObject()) {
            throw bad(source, "the file must hold one JSON object with \"buffers\" and \"ops\"");
        }
        JsonObject o = root.getAsJsonObject();
        for (String k : o.keySet()) {
            if (!TOP.contains(k)) {
                throw bad(source, "unknown field \"" + k + "\" (fields: cpu, backend, buffers, ops, comment)");
            }
        }
        Integer cpu = null;
        if (o.has("cpu") && !isString(o.get("cpu"), "current")) {
            cpu = (int) integer(o.get("cpu"), source, "cpu");
            if (cpu < 0) {
                throw bad(source, "cpu: " + cpu + " is negative (a CPU number or \"current\")");
            }
        }
        String backend = o.has("backend") ? string(o.get("backend"), source, "backend") : null;

        JsonObject bufs = object(o.get("buffers"), source, "buffers");
        Map<String, Buffer> buffers = new LinkedHashMap<>();
        int offset = 0;
        for (Map.Entry<String, JsonElement> e : bufs.entrySet()) {
            String name = e.getKey();
            if (!name.matches("[A-Za-z_][A-Za-z0-9_.-]*")) {
                throw bad(source, "buffers: name '" + name + "' must be a word (letters, digits, _ . -)");
            }
            Buffer b = buffer(name, object(e.getValue(), source, "buffers." + name), source, offset);
            buffers.put(name, b);
            offset += (b.size() + BUFFER_ALIGN - 1) / BUFFER_ALIGN * BUFFER_ALIGN;
            if (offset > (1 << 20)) {
                throw bad(source, "buffers: more than 1 MiB in all");
            }
        }
        if (!o.has("ops")) {
            throw bad(source, "no \"ops\" (a list of up to 4 ops)");
        }
        if (!o.get("ops").isJsonArray()) {
            throw bad(source, "ops: expected a list of ops");
        }
        JsonArray arr = o.getAsJsonArray("ops");
        List<Op> ops = new ArrayList<>();
        for (int i = 0; i < arr.size(); i++) {
            ops.add(op(object(arr.get(i), source, "ops[" + i + "]"), buffers, source, "ops[" + i + "]"));
        }
        return new ExecSpec(source, cpu, backend, buffers, ops, Math.max(offset, 1));
    }

    private static Buffer buffer(String name, JsonObject b, String src, int offset) {
        String where = "buffers." + name;
        String view = null;
        byte[] init = new byte[0];
        for (String k : b.keySet()) {
            if (k.equals("size")) {
                continue;
            }
            if (!VIEWS.contains(k)) {
                throw bad(src, where + ": unknown field \"" + k + "\" (size, hex, u8, u16, u32, u64, text)");
            }
            if (view != null) {
                throw bad(src, where + ": give one of hex, u8, u16, u32, u64, text (not " + view + " and " + k + ")");
            }
            view = k;
            init = initBytes(k, b.get(k), src, where + "." + k);
        }
        int size = init.length;
        if (b.has("size")) {
            long s = integer(b.get("size"), src, where + ".size");
            if (s < 1 || s > (1 << 20)) {
                throw bad(src, where + ".size: " + s + " is not in 1..1048576");
            }
            if (s < init.length) {
                throw bad(src, where + ".size: " + s + " is less than the " + init.length + " bytes of its " + view);
            }
            size = (int) s;
        }
        if (size == 0) {
            throw bad(src, where + ": empty (give a size or initial contents)");
        }
        byte[] all = new byte[size];
        System.arraycopy(init, 0, all, 0, init.length);
        return new Buffer(name, all, view == null ? "hex" : view, offset);
    }

    private static byte[] initBytes(String view, JsonElement e, String src, String where) {
        switch (view) {
            case "hex":
                return hexBytes(string(e, src, where), src, where);
            case "text":
                return string(e, src, where).getBytes(StandardCharsets.UTF_8);
            default: {
                int width = Integer.parseInt(view.substring(1)) / 8;
                if (!e.isJsonArray()) {
                    throw bad(src, where + ": expected a list of numbers");
                }
                JsonArray a = e.getAsJsonArray();
                ByteBuffer bb = ByteBuffer.allocate(a.size() * width).order(ByteOrder.nativeOrder());
                for (int i = 0; i < a.size(); i++) {
                    long v = integer(a.get(i), src, where + "[" + i + "]");
                    if (width < 8) {
                        long min = -(1L << (width * 8 - 1));
                        long max = (1L << (width * 8)) - 1;
                        if (v < min || v > max) {
                            throw bad(src, where + "[" + i + "]: " + v + " does not fit in " + width * 8 + " bits");
                        }
                    }
                    switch (width) {
                        case 1: bb.put((byte) v); break;
                        case 2: bb.putShort((short) v); break;
                        case 4: bb.putInt((int) v); break;
                        default: bb.putLong(v); break;
                    }
                }
                return bb.array();
            }
        }
    }

    private static Op op(JsonObject o, Map<String, Buffer> buffers, String src, String where) {
        if (!o.has("op")) {
            throw bad(src, where + ": no \"op\" (compare_eq, compare_ne, memcpy, memcpy_release, add, add_release)");
        }
        OpType type = opType(string(o.get("op"), src, where + ".op"), src, where);
        Set<String> allowed = type.isArithmetic()
                ? Set.of("op", "p", "count", "len", "expect_fault", "comment")
                : Set.of("op", type.firstOperandName(), type.secondOperandName(), "value", "bytes", "len",
                        "expect_fault", "comment");
        for (String k : o.keySet()) {
            if (!allowed.contains(k)) {
                throw bad(src, where + ": unknown field \"" + k + "\" for " + type.abiName() + " (fields: "
                        + String.join(", ", new java.util.TreeSet<>(allowed)) + ")");
            }
        }
        boolean faultFirst = false;
        boolean faultSecond = false;
        if (o.has("expect_fault")) {
            JsonElement f = o.get("expect_fault");
            JsonArray names = f.isJsonArray() ? f.getAsJsonArray() : new JsonArray();
            if (!f.isJsonArray()) {
                names.add(f);
            }
            for (JsonElement n : names) {
                String s = string(n, src, where + ".expect_fault");
                if (s.equals(type.firstOperandName())) {
                    faultFirst = true;
                } else if (s.equals(type.secondOperandName()) && !o.has("value") && !o.has("bytes")) {
                    faultSecond = true;
                } else {
                    throw bad(src, where + ".expect_fault: '" + s + "' is not a memory operand of " + type.abiName());
                }
            }
        }
        String fn = type.firstOperandName();
        if (!o.has(fn)) {
            throw bad(src, where + ": no \"" + fn + "\" operand (\"buffer\" or \"buffer+offset\")");
        }
        Ref first = ref(o.get(fn), buffers, src, where + "." + fn);
        if (type.isArithmetic()) {
            int len = o.has("len") ? (int) integer(o.get("len"), src, where + ".len") : 8;
            if (!o.has("count")) {
                throw bad(src, where + ": no \"count\" (the value to add)");
            }
            long count = integer(o.get("count"), src, where + ".count");
            return new Op(type, first, null, null, count, len, faultFirst, false);
        }
        String sn = type.secondOperandName();
        int given = (o.has(sn) ? 1 : 0) + (o.has("value") ? 1 : 0) + (o.has("bytes") ? 1 : 0);
        if (given != 1) {
            throw bad(src, where + ": give exactly one of \"" + sn + "\" (a buffer operand), \"value\" (an 8 or 4"
                    + " byte immediate) or \"bytes\" (hex immediate)");
        }
        Integer len = o.has("len") ? (int) integer(o.get("len"), src, where + ".len") : null;
        if (o.has(sn)) {
            if (len == null) {
                throw bad(src, where + ": no \"len\" (bytes to " + (type.isCompare() ? "compare" : "copy") + ")");
            }
            return new Op(type, first, ref(o.get(sn), buffers, src, where + "." + sn), null, 0, len, faultFirst, faultSecond);
        }
        byte[] imm;
        if (o.has("value")) {
            int l = len == null ? 8 : len;
            if (l != 8 && l != 4) {
                throw bad(src, where + ".len: a \"value\" immediate is 8 or 4 bytes, not " + l);
            }
            long v = integer(o.get("value"), src, where + ".value");
            ByteBuffer bb = ByteBuffer.allocate(l).order(ByteOrder.nativeOrder());
            if (l == 8) {
                bb.putLong(v);
            } else {
                bb.putInt((int) v);
            }
            imm = bb.array();
        } else {
            imm = hexBytes(string(o.get("bytes"), src, where + ".bytes"), src, where + ".bytes");
            if (len != null && len != imm.length) {
                throw bad(src, where + ".len: " + len + " but \"bytes\" holds " + imm.length);
            }
        }
        return new Op(type, first, null, imm, 0, imm.length, faultFirst, false);
    }

    static OpType opType(String name, String src, String where) {
        String n = name.trim().toUpperCase(Locale.ROOT);
        if (n.startsWith("CPU_")) {
            n = n.substring(4);
        }
        if (n.endsWith("_OP")) {
            n = n.substring(0, n.length() - 3);
        }
        for (OpType t : OpType.values()) {
            if (t.name().equals(n)) {
                return t;
            }
        }
        throw bad(src, where + ".op: '" + name + "' is not an op (compare_eq, compare_ne, memcpy, memcpy_release,"
                + " add, add_release; or the header's names, e.g. CPU_ADD_OP)");
    }

    private static Ref ref(JsonElement e, Map<String, Buffer> buffers, String src, String where) {
        String s = string(e, src, where).trim();
        int plus = s.indexOf('+');
        String name = (plus < 0 ? s : s.substring(0, plus)).trim();
        long off = 0;
        if (plus >= 0) {
            try {
                off = Long.decode(s.substring(plus + 1).trim());
            } catch (NumberFormatException x) {
                throw bad(src, where + ": '" + s + "': the offset after + is not a number");
            }
        }
        Buffer b = buffers.get(name);
        if (b == null) {
            throw bad(src, where + ": no buffer '" + name + "' (buffers: " + String.join(", ", buffers.keySet()) + ")");
        }
        if (off < 0 || off > b.size()) {
            throw bad(src, where + ": offset " + off + " is outside buffer '" + name + "' (" + b.size() + " bytes)");
        }
        return new Ref(b, off);
    }

    /** Checks that each operand's bytes lie inside its buffer (after the lengths are known). */
    void checkBounds() {
        for (int i = 0; i < ops.size(); i++) {
            Op op = ops.get(i);
            check(op.first, op.len, "ops[" + i + "]." + op.type.firstOperandName());
            if (op.second != null) {
                check(op.second, op.len, "ops[" + i + "]." + op.type.secondOperandName());
            }
        }
    }

    private void check(Ref r, int len, String where) {
        if (len >= 0 && r.offset + len > r.buffer.size()) {
            throw bad(source, where + ": " + len + " bytes at offset " + r.offset + " run past the end of buffer '"
                    + r.buffer.name + "' (" + r.buffer.size() + " bytes)");
        }
    }

    private static byte[] hexBytes(String s, String src, String where) {
        String h = s.replaceAll("[\\s:_]", "");
        if (h.startsWith("0x") || h.startsWith("0X")) {
            h = h.substring(2);
        }
        if (h.length() % 2 != 0 || !h.matches("[0-9a-fA-F]*")) {
            throw bad(src, where + ": '" + s + "' is not hex bytes (pairs of hex digits; spaces allowed)");
        }
        byte[] b = new byte[h.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(h.substring(2 * i, 2 * i + 2), 16);
        }
        return b;
    }

    /** A JSON integer, or a string: decimal, 0x hex (up to 64 bits unsigned), negative. */
    static long integer(JsonElement e, String src, String where) {
        if (e != null && e.isJsonPrimitive()) {
            JsonPrimitive p = e.getAsJsonPrimitive();
            try {
                if (p.isNumber()) {
                    return new java.math.BigDecimal(p.getAsString()).longValueExact();
                }
                if (p.isString()) {
                    String s = p.getAsString().trim();
                    String t = s.toLowerCase(Locale.ROOT);
                    if (t.startsWith("0x")) {
                        return Long.parseUnsignedLong(t.substring(2).replace("_", ""), 16);
                    }
                    return Long.decode(s);
                }
            } catch (ArithmeticException | NumberFormatException x) {
                throw bad(src, where + ": '" + p.getAsString() + "' is not a 64-bit integer");
            }
        }
        throw bad(src, where + ": expected an integer (a number, or a string like \"0x10\" or \"-1\")");
    }

    private static String string(JsonElement e, String src, String where) {
        if (e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()) {
            return e.getAsString();
        }
        throw bad(src, where + ": expected a string");
    }

    private static boolean isString(JsonElement e, String value) {
        return e.isJsonPrimitive() && e.getAsJsonPrimitive().isString() && e.getAsString().equals(value);
    }

    private static JsonObject object(JsonElement e, String src, String where) {
        if (e == null) {
            throw bad(src, "no \"" + where + "\"");
        }
        if (!e.isJsonObject()) {
            throw bad(src, where + ": expected an object");
        }
        return e.getAsJsonObject();
    }

    private static Main.Failure bad(String src, String what) {
        return new Main.Failure(src + ": " + what);
    }
}
