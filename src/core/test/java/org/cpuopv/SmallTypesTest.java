/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SmallTypesTest {
    @Test
    void cpuSetParsesAndPrintsTheKernelListFormat() {
        CpuSet s = CpuSet.parse("0-3,8,10-11\n");
        assertEquals("0-3,8,10-11", s.toString());
        assertEquals(7, s.size());
        assertEquals(11, s.max());
        assertTrue(s.contains(8));
        assertFalse(s.contains(9));
        assertFalse(s.contains(-1));
        assertEquals(CpuSet.of(3, 1, 2, 0, 8, 10, 11), s);
        assertEquals("", CpuSet.parse(" ").toString());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CpuSet.parse("0-x"))
                .getMessage().contains("'0-x'"));
        assertThrows(IllegalArgumentException.class, () -> CpuSet.parse("3-1"));
    }

    @Test
    void outcomesArePreallocatedConstants() {
        assertSame(Outcome.DONE, Outcome.ofResult(0));
        assertSame(Outcome.ofResult(3), Outcome.compareFailedAt(2));
        assertEquals(2, Outcome.ofResult(3).failedIndex());
        assertTrue(Outcome.ofResult(1).isCompareFailed());
        assertEquals(-1, Outcome.DONE.failedIndex());
        assertTrue(Outcome.EXPECTED_FAULT.isExpectedFault());
        assertEquals(-11, Outcome.EXPECTED_FAULT.raw());
        assertEquals("COMPARE_FAILED[0]", Outcome.ofResult(1).toString());
        assertThrows(IllegalArgumentException.class, () -> Outcome.ofResult(5));
    }

    @Test
    void retryPolicies() {
        assertFalse(RetryPolicy.NEVER.retryAfterExpectedFault(1));
        RetryPolicy three = RetryPolicy.upTo(3);
        assertTrue(three.retryAfterExpectedFault(1));
        assertTrue(three.retryAfterExpectedFault(2));
        assertFalse(three.retryAfterExpectedFault(3));
        assertThrows(IllegalArgumentException.class, () -> RetryPolicy.upTo(0));
    }

    @Test
    void opTypesKnowTheirOperands() {
        assertEquals("dst", OpType.MEMCPY_RELEASE.firstOperandName());
        assertEquals(null, OpType.ADD.secondOperandName());
        assertSame(OpType.ADD_RELEASE, OpType.of(5));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> OpType.of(6)).getMessage().contains("6"));
    }
}
