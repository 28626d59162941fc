/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.cpuopv.internal.Mem;
import org.cpuopv.internal.NativeCalls;
import org.cpuopv.internal.NativeLibrary;
import org.cpuopv.internal.Abi;
import org.cpuopv.internal.Errno;

/** The Java encoder against the real UAPI header, as the C compiler lays it out. */
class AbiLayoutTest {
    private static Map<String, Long> facts;

    @BeforeAll
    static void readFacts() {
        NativeLibrary.ensureLoaded();
        facts = new LinkedHashMap<>();
        for (String kv : NativeCalls.abiFacts().split(";")) {
            if (!kv.isEmpty()) {
                String[] p = kv.split("=");
                facts.put(p[0], Long.parseLong(p[1]));
            }
        }
    }

    private static long fact(String name) {
        Long v = facts.get(name);
        assertTrue(v != null, "the native library reports no " + name + "; it has " + facts.keySet());
        return v;
    }

    @Test
    void structCpuOpLayoutMatchesTheHeader() {
        assertEquals(fact("sizeof.cpu_op"), Abi.CPU_OP_SIZE);
        assertEquals(8, fact("alignof.cpu_op"), "union at offset 8 needs 8-byte alignment");
        assertEquals(fact("offsetof.cpu_op.op"), Abi.OFF_OP);
        assertEquals(4, fact("sizeof.cpu_op.op"));
        assertEquals(fact("offsetof.cpu_op.len"), Abi.OFF_LEN);
        assertEquals(4, fact("sizeof.cpu_op.len"));
        assertEquals(fact("sizeof.cpu_op.u"), fact("CPU_OP_ARG_LEN_MAX"));
        for (String f : new String[] {"compare_op.a", "memcpy_op.dst", "arithmetic_op.p"}) {
            assertEquals(fact("offsetof.cpu_op.u." + f), Abi.OFF_FIRST, f);
            assertEquals(8, fact("sizeof.cpu_op.u." + f), f);
        }
        for (String f : new String[] {"compare_op.b", "memcpy_op.src", "arithmetic_op.count"}) {
            assertEquals(fact("offsetof.cpu_op.u." + f), Abi.OFF_SECOND, f);
            assertEquals(8, fact("sizeof.cpu_op.u." + f), f);
        }
        for (String f : new String[] {"compare_op.expect_fault_a", "memcpy_op.expect_fault_dst",
            "arithmetic_op.expect_fault_p"}) {
            assertEquals(fact("offsetof.cpu_op.u." + f), Abi.OFF_FAULT_FIRST, f);
            assertEquals(1, fact("sizeof.cpu_op.u." + f), f);
        }
        for (String f : new String[] {"compare_op.expect_fault_b", "memcpy_op.expect_fault_src"}) {
            assertEquals(fact("offsetof.cpu_op.u." + f), Abi.OFF_FAULT_SECOND, f);
            assertEquals(1, fact("sizeof.cpu_op.u." + f), f);
        }
        assertEquals(24, fact("sizeof.cpu_opv_args"));
    }

    @Test
    void constantsMatchTheHeader() {
        assertEquals(fact("CPU_OP_VEC_LEN_MAX"), Abi.VEC_LEN_MAX);
        assertEquals(fact("CPU_OP_DATA_LEN_MAX"), Abi.DATA_LEN_MAX);
        assertEquals(fact("CPU_OP_ARITHMETIC_DATA_LEN_MAX"), Abi.ARITHMETIC_DATA_LEN_MAX);
        assertEquals(fact("CPU_OP_VEC_DATA_LEN_MAX"), Abi.VEC_DATA_LEN_MAX);
        assertEquals(4120, Abi.VEC_DATA_LEN_MAX, "the spec's rule, not the man page's 4216");
        assertEquals(fact("CPU_OP_NR_FLAG"), Abi.NR_FLAG);
        assertEquals(fact("CPU_OP_VEC_LEN_MAX_FLAG"), Abi.VEC_LEN_MAX_FLAG);
        assertEquals(fact("NR_CPU_OPS"), OpType.COUNT);
        for (OpType t : OpType.values()) {
            assertEquals(fact(t.abiName()), t.code(), t.abiName());
        }
        for (String e : new String[] {"EINVAL", "EFAULT", "EAGAIN", "ENOSYS", "ENOENT", "EACCES", "EPERM",
            "ENOTTY", "ENOMEM"}) {
            assertEquals(e, Errno.name((int) fact(e)));
        }
        // _IOW(0xC9, 0x01, struct cpu_opv_args): write direction, size 24
        long ioc = fact("CPU_OPV_IOC_EXEC");
        assertEquals(0xC9, (ioc >> 8) & 0xff);
        assertEquals(0x01, ioc & 0xff);
        assertEquals(24, (ioc >> 16) & 0x3fff);
    }

    @Test
    void encoderWritesEveryFieldWhereTheHeaderHasIt() {
        try (CpuOpv opv = CpuOpv.open(Backend.EMULATED);
             PerCpuArena arena = opv.allocateArena(64);
             OpVector v = opv.newVector()) {
            Slot s = arena.slot(0);
            v.on(0).compareEqLong(s, 8, 0x1122334455667788L).expectFaultA()
                    .memcpy(s, 16, s, 32, 5).expectFaultSrc()
                    .addInt(s, 4, -3).expectFaultP()
                    .storeLongRelease(s, 24, 7);
            long base = v.opsAddress();
            long size = fact("sizeof.cpu_op");
            // op 0: compare
            assertEquals(fact("CPU_COMPARE_EQ_OP"), Mem.getInt(base + fact("offsetof.cpu_op.op")));
            assertEquals(8, Mem.getInt(base + fact("offsetof.cpu_op.len")));
            assertEquals(s.address() + 8, Mem.getLong(base + fact("offsetof.cpu_op.u.compare_op.a")));
            long imm = Mem.getLong(base + fact("offsetof.cpu_op.u.compare_op.b"));
            assertEquals(0x1122334455667788L, Mem.getLong(imm));
            assertEquals(1, Mem.getByte(base + fact("offsetof.cpu_op.u.compare_op.expect_fault_a")));
            assertEquals(0, Mem.getByte(base + fact("offsetof.cpu_op.u.compare_op.expect_fault_b")));
            // op 1: memcpy
            long op1 = base + size;
            assertEquals(fact("CPU_MEMCPY_OP"), Mem.getInt(op1 + fact("offsetof.cpu_op.op")));
            assertEquals(5, Mem.getInt(op1 + fact("offsetof.cpu_op.len")));
            assertEquals(s.address() + 16, Mem.getLong(op1 + fact("offsetof.cpu_op.u.memcpy_op.dst")));
            assertEquals(s.address() + 32, Mem.getLong(op1 + fact("offsetof.cpu_op.u.memcpy_op.src")));
            assertEquals(0, Mem.getByte(op1 + fact("offsetof.cpu_op.u.memcpy_op.expect_fault_dst")));
            assertEquals(1, Mem.getByte(op1 + fact("offsetof.cpu_op.u.memcpy_op.expect_fault_src")));
            // op 2: add
            long op2 = base + 2 * size;
            assertEquals(fact("CPU_ADD_OP"), Mem.getInt(op2 + fact("offsetof.cpu_op.op")));
            assertEquals(4, Mem.getInt(op2 + fact("offsetof.cpu_op.len")));
            assertEquals(s.address() + 4, Mem.getLong(op2 + fact("offsetof.cpu_op.u.arithmetic_op.p")));
            assertEquals(-3L, Mem.getLong(op2 + fact("offsetof.cpu_op.u.arithmetic_op.count")));
            assertEquals(1, Mem.getByte(op2 + fact("offsetof.cpu_op.u.arithmetic_op.expect_fault_p")));
            // op 3: release store; padding after the fault bytes is zero
            long op3 = base + 3 * size;
            assertEquals(fact("CPU_MEMCPY_RELEASE_OP"), Mem.getInt(op3 + fact("offsetof.cpu_op.op")));
            for (long b = fact("offsetof.cpu_op.u.memcpy_op.expect_fault_src") + 1; b < size; b++) {
                assertEquals(0, Mem.getByte(op3 + b), "padding byte " + b);
            }
            assertEquals(0, (base % 8), "vector is 8-byte aligned");
        }
    }
}
