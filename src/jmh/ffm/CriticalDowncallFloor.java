/*
 * Licensed under the Apache License, Version 2.0.
 */

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;
import java.util.Arrays;
import java.util.concurrent.atomic.LongAdder;

/**
 * The floor under any per-CPU operation reached through FFM: a critical downcall to a C
 * function that does nothing worth measuring (libc's labs), against LongAdder.increment, in
 * alternating batches within one JVM (medians of 41 rounds after warm-up). Java 22+, run as a
 * source file, no build needed:
 *
 *   /usr/lib/jvm/temurin-25-jdk-amd64/bin/java --enable-native-access=ALL-UNNAMED \
 *       src/jmh/ffm/CriticalDowncallFloor.java
 */
public final class CriticalDowncallFloor {
    private static final MethodHandle LABS;

    static {
        Linker linker = Linker.nativeLinker();
        LABS = linker.downcallHandle(linker.defaultLookup().find("labs").orElseThrow(),
                FunctionDescriptor.of(JAVA_LONG, JAVA_LONG), Linker.Option.critical(false));
    }

    private static volatile long sink;

    private CriticalDowncallFloor() {
    }

    public static void main(String[] args) throws Throwable {
        int rounds = 41;
        int n = 2_000_000;
        LongAdder adder = new LongAdder();
        double[] call = new double[rounds];
        double[] add = new double[rounds];
        for (int r = -10; r < rounds; r++) {
            long s = 0;
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                s += (long) LABS.invokeExact((long) i);
            }
            long t1 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                adder.increment();
            }
            long t2 = System.nanoTime();
            sink = s + adder.sum();
            if (r >= 0) {
                call[r] = (t1 - t0) / (double) n;
                add[r] = (t2 - t1) / (double) n;
            }
        }
        Arrays.sort(call);
        Arrays.sort(add);
        double c = call[rounds / 2];
        double a = add[rounds / 2];
        System.out.printf("critical downcall (labs) %.2f ns, LongAdder.increment %.2f ns: %.2fx%n", c, a, c / a);
    }
}
