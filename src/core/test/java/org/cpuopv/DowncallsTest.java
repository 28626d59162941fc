/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.cpuopv.internal.Mem;
import org.cpuopv.percpu.PerCpuCounter;
import org.junit.jupiter.api.Test;

/**
 * Which downcalls the structures use. The build runs the per-CPU tests twice: on Java 17 from
 * target/classes (JNI), and on Java 25 from the multi-release jar with native access
 * ({@code -Dcpuopv.test.expectDowncalls=FFM}), where a jar without its Java 22 layer fails here.
 */
class DowncallsTest {
    @Test
    void theMechanismIsTheExpectedOne() {
        String expected = System.getProperty("cpuopv.test.expectDowncalls",
                Runtime.version().feature() < 22 ? "JNI" : "");
        String m = CpuOpv.downcallMechanism();
        assertTrue(m.startsWith(expected), "downcalls: " + m + ", expected " + expected);
        assertTrue(m.matches("(FFM|JNI) \\(.+\\)"), "says why: " + m);
        // the memory accessors follow the same native-access decision: no sun.misc.Unsafe then
        if (expected.equals("FFM")) {
            assertEquals("FFM", Mem.mechanism());
        } else if (expected.equals("JNI")) {
            assertEquals("Unsafe", Mem.mechanism());
        }
    }

    @Test
    void aCounterWorksThroughIt() {
        try (CpuOpv opv = CpuOpv.open(Backend.AUTO); PerCpuCounter c = new PerCpuCounter(opv)) {
            for (int i = 0; i < 10_000; i++) {
                c.add(3);
            }
            assertEquals(30_000, c.sum());
        }
    }
}
