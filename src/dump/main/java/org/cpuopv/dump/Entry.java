/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.dump;

import java.io.IOException;
import java.time.Instant;

import com.google.gson.stream.JsonWriter;

import org.cpuopv.Backend;
import org.cpuopv.OpType;
import org.cpuopv.OpVector;
import org.cpuopv.PageRegion;
import org.cpuopv.Region;
import org.cpuopv.Slot;

/** One executed vector as the recorder keeps it: copied out of the vector, serialized later. */
final class Entry {
    private static final int FAULT_FIRST = 1;
    private static final int FAULT_SECOND = 2;
    private static final int IMMEDIATE = 4;
    private static final boolean LITTLE = java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.LITTLE_ENDIAN;

    final long seq;
    final long epochNanos;
    final long durationNanos;
    final Backend backend;
    final String thread;
    final long threadId;
    final int callerCpu;
    final int cpu;
    final int result;
    final int dataLen;
    private final OpType[] types;
    private final int[] lens;
    private final long[] first;
    private final long[] second;
    private final byte[] marks;
    /** [2i]: the region of op i's first operand, [2i+1]: of its second; null when unknown. */
    private final Region[] regions;
    /** The ops' immediates, in op order, each cut at {@link DumpSchema#IMMEDIATE_BYTES_MAX}; null: none. */
    private final byte[] immediates;
    /** After a failed compare: operand a's and b's bytes as the recorder found them; null otherwise. */
    private final byte[] seenFirst;
    private final byte[] seenSecond;

    @SuppressWarnings("deprecation") // Thread.getId: threadId() is Java 19+
    Entry(long seq, long epochNanos, Backend backend, OpVector v, int callerCpu, int result, long durationNanos) {
        this.seq = seq;
        this.epochNanos = epochNanos;
        this.durationNanos = durationNanos;
        this.backend = backend;
        Thread t = Thread.currentThread();
        this.thread = t.getName();
        this.threadId = t.getId();
        this.callerCpu = callerCpu;
        this.cpu = v.targetCpu();
        this.result = result;
        this.dataLen = v.dataLength();
        int n = v.size();
        types = new OpType[n];
        lens = new int[n];
        first = new long[n];
        second = new long[n];
        marks = new byte[n];
        regions = new Region[2 * n];
        int immediateBytes = 0;
        for (int i = 0; i < n; i++) {
            try {
                types[i] = v.opType(i);
            } catch (IllegalArgumentException e) {
                types[i] = null; // not a cpu_op_type: written as "unknown"
            }
            lens[i] = v.length(i);
            first[i] = v.firstAddress(i);
            second[i] = v.secondField(i);
            int m = 0;
            if (v.expectFaultFirst(i)) {
                m |= FAULT_FIRST;
            }
            if (v.expectFaultSecond(i)) {
                m |= FAULT_SECOND;
            }
            if (types[i] != null && v.secondIsImmediate(i)) {
                m |= IMMEDIATE;
                immediateBytes += Math.min(lens[i], DumpSchema.IMMEDIATE_BYTES_MAX);
            }
            marks[i] = (byte) m;
            if (types[i] != null) {
                regions[2 * i] = v.firstRegion(i);
                regions[2 * i + 1] = v.secondRegion(i);
            }
        }
        if (immediateBytes == 0) {
            immediates = null;
        } else {
            immediates = new byte[immediateBytes];
            int at = 0;
            for (int i = 0; i < n; i++) {
                if ((marks[i] & IMMEDIATE) != 0) {
                    at += v.copyImmediate(i, immediates, at, DumpSchema.IMMEDIATE_BYTES_MAX);
                }
            }
        }
        boolean failed = result > 0 && result <= n;
        seenFirst = failed ? seen(result - 1, 2 * (result - 1)) : null;
        seenSecond = failed ? seen(result - 1, 2 * (result - 1) + 1) : null;
    }

    /**
     * An operand of the compare that failed, read now (right after the call): what the compare
     * found unless another thread changed it since. Only from a {@link Slot} (an arena stays
     * mapped until its quarantine ends even when closed concurrently); never from a page region,
     * whose released pages must not be read from Java.
     */
    private byte[] seen(int i, int operand) {
        Region r = regions[operand];
        if ((types[i] != OpType.COMPARE_EQ && types[i] != OpType.COMPARE_NE) || !(r instanceof Slot)) {
            return null;
        }
        int len = Math.min(lens[i], DumpSchema.IMMEDIATE_BYTES_MAX);
        byte[] b = new byte[len];
        try {
            r.getBytes((operand % 2 == 0 ? first[i] : second[i]) - r.address(), b, 0, len);
        } catch (RuntimeException e) {
            return null; // closed meanwhile: nothing to show
        }
        return b;
    }

    static String time(long epochNanos) {
        return Instant.ofEpochSecond(Math.floorDiv(epochNanos, 1_000_000_000L),
                Math.floorMod(epochNanos, 1_000_000_000L)).toString();
    }

    /** Writes the {@code "vector"} line's object (no newline). */
    void write(JsonWriter w, long pid) throws IOException {
        w.beginObject();
        w.name("v").value(DumpSchema.VERSION);
        w.name("type").value(DumpSchema.TYPE_VECTOR);
        w.name("seq").value(seq);
        w.name("time").value(time(epochNanos));
        w.name("duration_ns").value(durationNanos);
        w.name("backend").value(backend.name());
        w.name("pid").value(pid);
        w.name("thread").value(thread);
        w.name("thread_id").value(threadId);
        w.name("caller_cpu").value(callerCpu);
        w.name("cpu").value(cpu);
        w.name("nr_ops").value(types.length);
        w.name("data_len").value(dataLen);
        w.name("ops").beginArray();
        int imm = 0;
        for (int i = 0; i < types.length; i++) {
            OpType t = types[i];
            w.beginObject();
            w.name("op").value(t == null ? "unknown" : t.abiName());
            w.name("len").value(Integer.toUnsignedLong(lens[i]));
            String a = t == null ? "first" : t.firstOperandName();
            w.name(a).value(DumpSchema.hexAddress(first[i]));
            where(w, a, regions[2 * i], first[i]);
            w.name("expect_fault_" + a).value((marks[i] & FAULT_FIRST) != 0);
            if (seenFirst != null && i == result - 1) {
                bytes(w, a + "_seen", seenFirst, 0, seenFirst.length, lens[i]);
            }
            if (t != null && t.isArithmetic()) {
                w.name("count").value(DumpSchema.hexSigned(second[i]));
            } else {
                String b = t == null ? "second" : t.secondOperandName();
                w.name(b).value(DumpSchema.hexAddress(second[i]));
                where(w, b, regions[2 * i + 1], second[i]);
                w.name("expect_fault_" + b).value((marks[i] & FAULT_SECOND) != 0);
                boolean isImm = (marks[i] & IMMEDIATE) != 0;
                if (seenSecond != null && i == result - 1) {
                    bytes(w, b + "_seen", seenSecond, 0, seenSecond.length, lens[i]);
                }
                w.name(b + "_immediate").value(isImm);
                if (isImm) {
                    int n = Math.min(lens[i], DumpSchema.IMMEDIATE_BYTES_MAX);
                    bytes(w, b, immediates, imm, n, lens[i]);
                    imm += n;
                }
            }
            w.endObject();
        }
        w.endArray();
        w.name("ret").value(result);
        if (result == 0) {
            w.name("result").value(DumpSchema.RESULT_DONE);
        } else if (result > 0) {
            w.name("result").value(DumpSchema.RESULT_COMPARE_FAILED);
            w.name("failed_index").value(result - 1);
        } else {
            w.name("result").value(DumpSchema.RESULT_ERROR);
            w.name("errno").value(DumpSchema.errnoName(-result));
        }
        w.endObject();
    }

    /** {@code "<name>_in"}: the region, CPU and offset of an operand, when its region is known. */
    private static void where(JsonWriter w, String name, Region r, long address) throws IOException {
        if (r == null) {
            return;
        }
        long offset = address - r.address();
        w.name(name + "_in").beginObject();
        if (r instanceof Slot) {
            Slot s = (Slot) r;
            w.name("region").value("arena#" + s.arena().id());
            w.name("cpu").value(s.cpu());
        } else if (r instanceof PageRegion) {
            w.name("region").value("pages");
            w.name("page").value(offset / PageRegion.PAGE_SIZE);
        } else {
            w.name("region").value(r.getClass().getSimpleName());
        }
        w.name("offset").value(offset);
        w.endObject();
    }

    /**
     * {@code "<name>_value"} (the bytes as the CPU reads an integer of that width, for lengths 1,
     * 2, 4 and 8) and {@code "<name>_bytes"} (in memory order, cut at the limit, with
     * {@code "<name>_bytes_cut": true} then).
     */
    private static void bytes(JsonWriter w, String name, byte[] b, int from, int n, int len) throws IOException {
        if (n == len && (len == 1 || len == 2 || len == 4 || len == 8)) {
            long v = 0;
            for (int k = 0; k < len; k++) {
                int shift = LITTLE ? 8 * k : 8 * (len - 1 - k);
                v |= (b[from + k] & 0xffL) << shift;
            }
            w.name(name + "_value").value(DumpSchema.hexAddress(v));
        }
        char[] hex = new char[2 * n];
        for (int k = 0; k < n; k++) {
            hex[2 * k] = Character.forDigit((b[from + k] >> 4) & 15, 16);
            hex[2 * k + 1] = Character.forDigit(b[from + k] & 15, 16);
        }
        w.name(name + "_bytes").value(new String(hex));
        if (n < len) {
            w.name(name + "_bytes_cut").value(true);
        }
    }
}
