/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The builder's own checks, before any system call (emulated handle; the rules are the builder's). */
class OpVectorValidationTest {
    private CpuOpv opv;
    private PerCpuArena arena;
    private OpVector v;
    private Slot s;

    @BeforeEach
    void open() {
        opv = CpuOpv.open(Backend.EMULATED);
        arena = opv.allocateArena(4200);
        v = opv.newVector();
        s = arena.slot(0);
    }

    @AfterEach
    void close() {
        opv.close();
    }

    private static void assertMessage(Throwable t, String... parts) {
        for (String p : parts) {
            assertTrue(t.getMessage().contains(p), "message '" + t.getMessage() + "' lacks '" + p + "'");
        }
    }

    @Test
    void slotSizeIsRoundedToTwoCacheLines() {
        assertEquals(4224, arena.slotSize());
        assertEquals(128, PerCpuArena.roundSlotSize(1));
        assertEquals(256, PerCpuArena.roundSlotSize(129));
        for (int cpu : opv.possibleCpus().toArray()) {
            assertEquals(0, arena.slot(cpu).address() % 128, "slot of cpu " + cpu);
        }
        assertMessage(assertThrows(IllegalArgumentException.class, () -> opv.allocateArena(0)), "slotBytes 0");
    }

    @Test
    void opsNeedATargetCpu() {
        v.reset();
        assertMessage(assertThrows(IllegalStateException.class, () -> v.addLong(s, 0, 1)),
                "op 0", "no target CPU");
        assertMessage(assertThrows(IllegalStateException.class, () -> opv.execute(v)), "no target CPU");
    }

    @Test
    void targetCpuMustBePossible() {
        int bad = opv.possibleCpus().max() + 1;
        assertMessage(assertThrows(IllegalArgumentException.class, () -> v.on(bad)),
                "target cpu " + bad, "not a possible CPU");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> v.on(-1)), "target cpu -1");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> arena.slot(bad)), "cpu " + bad);
    }

    @Test
    void atMostFourOps() {
        v.on(0).addLong(s, 0, 1).addLong(s, 8, 1).addLong(s, 16, 1).addLong(s, 24, 1);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> v.addLong(s, 32, 1));
        assertMessage(e, "op 4", "CPU_ADD_OP", "4 ops", "CPU_OP_VEC_LEN_MAX");
        assertEquals(4, v.size());
    }

    @Test
    void lengthsWithinTheSpec() {
        v.on(0);
        assertMessage(assertThrows(IllegalArgumentException.class, () -> v.memcpy(s, 0, s, 8, 4097)),
                "op 0", "CPU_MEMCPY_OP", "field len: 4097", "CPU_OP_DATA_LEN_MAX");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> v.compareEq(s, 0, s, 8, -1)),
                "field len: -1");
        v.memcpy(s, 0, s, 0, 4096).addLong(s, 0, 1).addLong(s, 8, 1).addLong(s, 16, 1);
        assertEquals(4120, v.dataLength());
        v.on(0).memcpy(s, 0, s, 0, 4096).memcpy(s, 0, s, 0, 24);
        assertMessage(assertThrows(IllegalArgumentException.class, () -> v.addInt(s, 0, 1)),
                "op 2", "total length to 4124", "4120", "CPU_OP_VEC_DATA_LEN_MAX");
        assertEquals(2, v.size(), "a refused op leaves the vector as it was");
        assertEquals(4120, v.dataLength());
    }

    @Test
    void operandsStayInsideTheirRegion() {
        v.on(0);
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                () -> v.memcpy(s, 4220, s, 0, 8));
        assertMessage(e, "op 0", "operand dst", "offset 4220 + len 8", "arena#", "4224 bytes");
        assertMessage(assertThrows(IndexOutOfBoundsException.class, () -> v.compareEq(s, 0, s, -8, 8)),
                "operand b", "offset -8");
        assertMessage(assertThrows(IndexOutOfBoundsException.class, () -> v.addLong(s, 4224, 1)),
                "operand p", "offset 4224");
        assertMessage(assertThrows(NullPointerException.class, () -> v.storeLong(null, 0, 1)),
                "operand dst", "null");
        assertEquals(0, v.size());
    }

    @Test
    void typedOpsMustBeAligned() {
        v.on(0);
        assertMessage(assertThrows(IllegalArgumentException.class, () -> v.addLong(s, 4, 1)),
                "op 0", "CPU_ADD_OP", "operand p", "offset 4", "8-byte aligned");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> v.compareEqInt(s, 2, 1)),
                "operand a", "4-byte aligned");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> v.storeLongRelease(s, 12, 1)),
                "CPU_MEMCPY_RELEASE_OP", "operand dst");
        v.addByte(s, 3, (byte) 1).addShort(s, 6, (short) 1).memcpy(s, 1, s, 9, 8);
    }

    @Test
    void expectFaultNamesMustMatchTheOp() {
        v.on(0);
        assertMessage(assertThrows(IllegalStateException.class, v::expectFaultA), "no op yet");
        v.addLong(s, 0, 1);
        assertMessage(assertThrows(IllegalStateException.class, v::expectFaultSrc),
                "op 0", "CPU_ADD_OP", "no operand 'src'", "its operands: p");
        v.expectFaultP();
        v.memcpy(s, 0, s, 8, 8);
        assertMessage(assertThrows(IllegalStateException.class, v::expectFaultA),
                "op 1", "CPU_MEMCPY_OP", "no operand 'a'", "dst, src");
        v.expectFaultDst().expectFaultSrc();
        v.compareNe(s, 0, s, 8, 8).expectFaultA().expectFaultB();
        assertTrue(v.expectFaultFirst(0));
        assertTrue(v.expectFaultFirst(1) && v.expectFaultSecond(1));
        assertTrue(v.expectFaultFirst(2) && v.expectFaultSecond(2));
    }

    @Test
    void closedArenasAreRefused() {
        v.on(0).addLong(s, 0, 1);
        arena.close();
        assertTrue(!arena.isOpen());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> opv.execute(v));
        assertMessage(e, "op 0", "operand p", "closed", "refusing to execute");
        assertMessage(assertThrows(IllegalStateException.class, () -> v.on(0).addLong(s, 0, 1)),
                "operand p", "is closed");
        assertMessage(assertThrows(IllegalStateException.class, () -> s.getLong(0)), "closed");
        arena.close(); // idempotent
    }

    @Test
    void regionsOfAnotherHandleAreRefused() {
        try (CpuOpv other = CpuOpv.open(Backend.EMULATED); PerCpuArena foreign = other.allocateArena(8)) {
            assertMessage(assertThrows(IllegalArgumentException.class,
                    () -> v.on(0).storeLong(foreign.slot(0), 0, 1)), "operand dst", "another CpuOpv");
            try (OpVector w = other.newVector()) {
                assertThrows(IllegalArgumentException.class, () -> opv.execute(w.on(0)));
            }
        }
    }

    @Test
    void closedVectorsAndHandlesAreRefused() {
        v.close();
        assertMessage(assertThrows(IllegalStateException.class, () -> v.on(0)), "OpVector is closed");
        opv.close();
        assertMessage(assertThrows(IllegalStateException.class, opv::newVector), "handle is closed");
        assertTrue(!arena.isOpen(), "closing the handle frees its arenas");
    }

    @Test
    void javaAccessorsAreBoundsCheckedAndAlignedForAtomics() {
        assertMessage(assertThrows(IndexOutOfBoundsException.class, () -> s.getLong(4220)), "offset 4220");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> s.compareAndSetLong(4, 0, 1)),
                "offset 4", "8-byte aligned");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> s.putIntRelease(2, 1)), "4-byte aligned");
        s.putLongRelease(8, 5);
        assertTrue(s.compareAndSetLong(8, 5, 6));
        assertEquals(6, s.getLongAcquire(8));
        assertEquals(6, s.getAndAddLong(8, 10));
        assertEquals(16, s.getLongVolatile(8));
        byte[] b = {1, 2, 3};
        s.putBytes(100, b, 0, 3);
        byte[] out = new byte[3];
        s.getBytes(100, out, 0, 3);
        assertEquals(java.util.Arrays.toString(b), java.util.Arrays.toString(out));
    }

    @Test
    void describeDecodesTheVector() {
        v.on(0).compareEqLong(s, 0, 5).storeLong(s, 8, 6).addInt(s, 16, -1).expectFaultP();
        String d = v.describe();
        assertMessage(new RuntimeException(d), "cpu 0, 3 ops", "[0] CPU_COMPARE_EQ_OP len=8 a=0x",
                "(immediate)", "[1] CPU_MEMCPY_OP", "[2] CPU_ADD_OP len=4 p=0x", "(expect_fault) count=-1");
        assertEquals(OpType.ADD, v.opType(2));
        assertEquals(-1, v.secondField(2));
        assertEquals(s.address() + 16, v.firstAddress(2));
    }

    @Test
    void recordersCanReadRegionsAndImmediatesBack() {
        Slot t = arena.slot(opv.possibleCpus().max());
        v.on(0).compareEqLong(s, 8, 0x1122334455667788L).memcpy(t, 64, s, 0, 16)
                .storeBytes(s, 32, new byte[] {1, 2, 3}, 0, 3).addInt(s, 16, 2);
        assertTrue(v.firstRegion(0) == s && v.secondRegion(0) == null, "compare: a in s, b immediate");
        assertTrue(v.firstRegion(1) == t && v.secondRegion(1) == s, "memcpy: dst in t, src in s");
        assertTrue(v.firstRegion(3) == s && v.secondRegion(3) == null, "add: p in s, no second operand");
        assertEquals(s.address() + 8, v.firstAddress(0));
        byte[] b = new byte[8];
        assertEquals(8, v.copyImmediate(0, b, 0, 8));
        assertEquals(0x1122334455667788L, java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.nativeOrder()).getLong());
        assertEquals(2, v.copyImmediate(2, b, 5, 2), "at most max bytes");
        assertEquals(2, b[6]);
        assertEquals(0, v.copyImmediate(1, b, 0, 8), "memcpy between regions: no immediate");
        assertEquals(0, v.copyImmediate(3, b, 0, 8), "add: no immediate");
        assertThrows(IndexOutOfBoundsException.class, () -> v.copyImmediate(0, new byte[4], 0, 8));
        assertThrows(IndexOutOfBoundsException.class, () -> v.firstRegion(4));
        assertTrue(arena.id() > 0);
        assertTrue(s.toString().startsWith("arena#" + arena.id() + " slot of cpu 0"), s::toString);
    }
}
