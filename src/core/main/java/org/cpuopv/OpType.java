/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv;

/** {@code enum cpu_op_type}: the operations, with their ABI codes. */
public enum OpType {
    /** Stop the vector unless the {@code len} bytes at a and b are equal. */
    COMPARE_EQ(0, "CPU_COMPARE_EQ_OP", "a", "b"),
    /** Stop the vector unless the {@code len} bytes at a and b differ. */
    COMPARE_NE(1, "CPU_COMPARE_NE_OP", "a", "b"),
    /** Copy {@code len} bytes src to dst. */
    MEMCPY(2, "CPU_MEMCPY_OP", "dst", "src"),
    /** Copy with release semantics: earlier stores are visible before the copy's stores. */
    MEMCPY_RELEASE(3, "CPU_MEMCPY_RELEASE_OP", "dst", "src"),
    /** {@code *p += count} on a 1, 2, 4 or 8 byte integer, wrapping. */
    ADD(4, "CPU_ADD_OP", "p", null),
    /** The same with a store-release. */
    ADD_RELEASE(5, "CPU_ADD_RELEASE_OP", "p", null);

    /** {@code NR_CPU_OPS}: the number of operation types. */
    public static final int COUNT = 6;
    private static final OpType[] BY_CODE = values();

    private final int code;
    private final String abiName;
    private final String first;
    private final String second;

    OpType(int code, String abiName, String first, String second) {
        this.code = code;
        this.abiName = abiName;
        this.first = first;
        this.second = second;
    }

    /** @return the {@code op} field value */
    public int code() {
        return code;
    }

    /** @return the header's name, e.g. {@code CPU_MEMCPY_OP} */
    public String abiName() {
        return abiName;
    }

    /** @return the header's name of the first operand: a, dst or p */
    public String firstOperandName() {
        return first;
    }

    /** @return the header's name of the second operand (b, src), or null for the add ops */
    public String secondOperandName() {
        return second;
    }

    /** @return true for the compare ops */
    public boolean isCompare() {
        return code <= 1;
    }

    /** @return true for the add ops */
    public boolean isArithmetic() {
        return code >= 4;
    }

    /**
     * @param code an ABI code, 0..{@link #COUNT}-1 (the {@code op} field of {@code struct cpu_op})
     * @return the type of an ABI code
     * @throws IllegalArgumentException when {@code code} is not 0..{@link #COUNT}-1
     */
    public static OpType of(int code) {
        if (code < 0 || code >= BY_CODE.length) {
            throw new IllegalArgumentException("op code " + code + " is not a cpu_op_type (0.." + (COUNT - 1) + ")");
        }
        return BY_CODE[code];
    }
}
