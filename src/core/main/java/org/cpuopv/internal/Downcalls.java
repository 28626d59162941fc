/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.internal;

/**
 * How the per-CPU operations reach libcpuopv. This is the Java 17 class: JNI, one call per
 * operation. A multi-release jar replaces it on Java 22 and later
 * ({@code META-INF/versions/22}, source in {@code src/core/main/java22}) with one that binds
 * the same C functions as critical FFM downcalls when the module may use them.
 */
final class Downcalls {
    private Downcalls() {
    }

    /** @return the per-CPU operations with these {@code cpuopv_pc_*} flags */
    static PerCpuOps perCpuOps(int flags) {
        return new PerCpuOps.JniOps(flags);
    }

    /** @return how the per-CPU operations are called, and why that way */
    static String mechanism() {
        int feature = Runtime.version().feature();
        return feature >= 22
                ? "JNI (no Java 22 layer here: it is in META-INF/versions/22 of a jar built with a JDK 22+,"
                        + " and only a jar has one)"
                : "JNI (FFM downcalls need Java 22 or later; this is Java " + feature + ")";
    }
}
