/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.dump;

/**
 * Names of the dump format (JSON Lines, one object per line; docs/dump-schema.md is the
 * reference). Every line carries {@link #VERSION} in {@code "v"} and its kind in {@code "type"}.
 */
public final class DumpSchema {
    /**
     * The schema version this code writes; readers accept lines of this version or older.
     * 2 added what a vector expected: operands' regions ({@code "a_in"}, ...), immediates'
     * values ({@code "b_value"}, {@code "b_bytes"}) and a failed compare's operand
     * ({@code "a_seen_..."}). A version-1 line is still read: it only lacks those fields.
     */
    public static final int VERSION = 2;

    /** The oldest schema version readers accept. */
    public static final int OLDEST_READ = 1;

    /** Immediates and seen values are recorded up to this many bytes (longer ones are cut). */
    public static final int IMMEDIATE_BYTES_MAX = 256;

    /** First line of a streamed file: who wrote it and how the recorder was set up. */
    public static final String TYPE_HEADER = "header";
    /** One executed vector. */
    public static final String TYPE_VECTOR = "vector";
    /** Vectors the recorder could not stream (queue full, or recorded after close). */
    public static final String TYPE_DROPPED = "dropped";
    /** Last line of a file closed cleanly: totals. */
    public static final String TYPE_END = "end";

    /** {@code "result"} of a vector whose every op ran (system call result 0). */
    public static final String RESULT_DONE = "done";
    /** {@code "result"} of a vector stopped by a compare; {@code "failed_index"} says which. */
    public static final String RESULT_COMPARE_FAILED = "compare_failed";
    /** {@code "result"} of a vector refused with an errno; {@code "errno"} names it. */
    public static final String RESULT_ERROR = "error";

    private DumpSchema() {
    }

    /**
     * @param errno an errno value, positive (e.g. 14)
     * @return the name of an errno value as Linux x86-64 spells it, or {@code "E<number>"}
     */
    public static String errnoName(int errno) {
        switch (errno) {
            case 1: return "EPERM";
            case 2: return "ENOENT";
            case 5: return "EIO";
            case 6: return "ENXIO";
            case 11: return "EAGAIN";
            case 12: return "ENOMEM";
            case 13: return "EACCES";
            case 14: return "EFAULT";
            case 16: return "EBUSY";
            case 19: return "ENODEV";
            case 22: return "EINVAL";
            case 25: return "ENOTTY";
            case 38: return "ENOSYS";
            default: return "E" + errno;
        }
    }

    /**
     * @param address an address, read as an unsigned 64-bit number
     * @return a 64-bit address as lower-case hex with a {@code 0x} prefix, unsigned
     */
    public static String hexAddress(long address) {
        return "0x" + Long.toHexString(address);
    }

    /**
     * @param value any {@code long}
     * @return a signed 64-bit value as hex, {@code -0x1} for -1 (readable back with {@link Long#decode})
     */
    public static String hexSigned(long value) {
        if (value < 0 && value != Long.MIN_VALUE) {
            return "-0x" + Long.toHexString(-value);
        }
        return value == Long.MIN_VALUE ? "-0x8000000000000000" : "0x" + Long.toHexString(value);
    }
}
