/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv;

/**
 * The numbers of {@code kmod/include/uapi/linux/cpu_opv.h} as the Java encoder uses them.
 * A test compares each with what the C compiler says about the real header
 * ({@link NativeCalls#abiFacts()}), so they cannot drift.
 */
final class Abi {
    static final int CPU_OP_SIZE = 32;
    static final int OFF_OP = 0;
    static final int OFF_LEN = 4;
    static final int OFF_FIRST = 8;        // compare a, memcpy dst, arithmetic p
    static final int OFF_SECOND = 16;      // compare b, memcpy src, arithmetic count
    static final int OFF_FAULT_FIRST = 24; // expect_fault_a / _dst / _p
    static final int OFF_FAULT_SECOND = 25; // expect_fault_b / _src

    static final int VEC_LEN_MAX = 4;
    static final int DATA_LEN_MAX = 4096;
    static final int ARITHMETIC_DATA_LEN_MAX = 8;
    static final int VEC_DATA_LEN_MAX = DATA_LEN_MAX + (VEC_LEN_MAX - 1) * ARITHMETIC_DATA_LEN_MAX;

    static final int NR_FLAG = 1;
    static final int VEC_LEN_MAX_FLAG = 2;

    /** First address beyond user space on x86-64 with 4-level paging (TASK_SIZE_MAX). */
    static final long TASK_SIZE = (1L << 47) - 4096;

    private Abi() {
    }
}
