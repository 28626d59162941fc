/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.internal;

/**
 * The numbers of {@code kmod/include/uapi/linux/cpu_opv.h} as the Java encoder uses them.
 * A test compares each with what the C compiler says about the real header
 * ({@link NativeCalls#abiFacts()}), so they cannot drift.
 */
public final class Abi {
    public static final int CPU_OP_SIZE = 32;
    public static final int OFF_OP = 0;
    public static final int OFF_LEN = 4;
    public static final int OFF_FIRST = 8;        // compare a, memcpy dst, arithmetic p
    public static final int OFF_SECOND = 16;      // compare b, memcpy src, arithmetic count
    public static final int OFF_FAULT_FIRST = 24; // expect_fault_a / _dst / _p
    public static final int OFF_FAULT_SECOND = 25; // expect_fault_b / _src

    public static final int VEC_LEN_MAX = 4;
    public static final int DATA_LEN_MAX = 4096;
    public static final int ARITHMETIC_DATA_LEN_MAX = 8;
    public static final int VEC_DATA_LEN_MAX = DATA_LEN_MAX + (VEC_LEN_MAX - 1) * ARITHMETIC_DATA_LEN_MAX;

    public static final int NR_FLAG = 1;
    public static final int VEC_LEN_MAX_FLAG = 2;

    /** First address beyond user space on x86-64 with 4-level paging (TASK_SIZE_MAX). */
    public static final long TASK_SIZE = (1L << 47) - 4096;

    private Abi() {
    }
}
