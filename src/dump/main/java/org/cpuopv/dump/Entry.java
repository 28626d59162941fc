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

/** One executed vector as the recorder keeps it: copied out of the vector, serialized later. */
final class Entry {
    private static final int FAULT_FIRST = 1;
    private static final int FAULT_SECOND = 2;
    private static final int IMMEDIATE = 4;

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
            }
            marks[i] = (byte) m;
        }
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
        for (int i = 0; i < types.length; i++) {
            OpType t = types[i];
            w.beginObject();
            w.name("op").value(t == null ? "unknown" : t.abiName());
            w.name("len").value(Integer.toUnsignedLong(lens[i]));
            String a = t == null ? "first" : t.firstOperandName();
            w.name(a).value(DumpSchema.hexAddress(first[i]));
            w.name("expect_fault_" + a).value((marks[i] & FAULT_FIRST) != 0);
            if (t != null && t.isArithmetic()) {
                w.name("count").value(DumpSchema.hexSigned(second[i]));
            } else {
                String b = t == null ? "second" : t.secondOperandName();
                w.name(b).value(DumpSchema.hexAddress(second[i]));
                w.name("expect_fault_" + b).value((marks[i] & FAULT_SECOND) != 0);
                w.name(b + "_immediate").value((marks[i] & IMMEDIATE) != 0);
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
}
