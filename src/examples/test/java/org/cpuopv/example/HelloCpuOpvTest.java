/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.example;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The README's example runs as written and does what it says. */
class HelloCpuOpvTest {
    @Test
    void countsOnceOnEveryOnlineCpu() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream saved = System.out;
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            HelloCpuOpv.main(new String[0]);
        } finally {
            System.setOut(saved);
        }
        String[] lines = buf.toString(StandardCharsets.UTF_8).split("\n");
        assertTrue(lines.length >= 1, "one line per online CPU");
        for (String line : lines) {
            assertTrue(line.matches("cpu \\d+: DONE, counter 1 \\((KERNEL|RSEQ|EMULATED)\\)"), line);
        }
    }
}
