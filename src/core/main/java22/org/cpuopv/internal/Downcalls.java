/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.internal;

import java.util.Locale;

/**
 * How the per-CPU operations reach libcpuopv, on Java 22 and later (the multi-release jar's
 * {@code META-INF/versions/22}): critical FFM downcalls ({@link FfmOps}) when this module may
 * use restricted methods, else JNI as on Java 17.
 *
 * <p>System property {@value #PROPERTY}: {@code auto} (the default: FFM when the module had
 * native access from the start, {@code --enable-native-access=org.cpuopv}, or
 * {@code ALL-UNNAMED} on the class path: {@link NativeAccess}), {@code ffm} (FFM even without
 * it: the JVM prints its restricted-method warning), or {@code jni}. Decided once, on first use.
 */
final class Downcalls {
    static final String PROPERTY = "cpuopv.downcalls";

    private Downcalls() {
    }

    /** The decision: null when FFM is used, else why not. Computed once. */
    private static final class Choice {
        static final String JNI_REASON = decide();
    }

    private static String decide() {
        String wanted = System.getProperty(PROPERTY, "auto").trim().toLowerCase(Locale.ROOT);
        switch (wanted) {
            case "jni":
                return "-D" + PROPERTY + "=jni";
            case "ffm":
                break;
            case "auto":
                if (!NativeAccess.granted()) {
                    return "FFM needs native access: --enable-native-access="
                            + (Downcalls.class.getModule().isNamed() ? Downcalls.class.getModule().getName()
                                    : "ALL-UNNAMED");
                }
                break;
            default:
                return "-D" + PROPERTY + "=" + wanted + " is none of auto, ffm, jni";
        }
        if (!NativeLibrary.isLoaded()) {
            return "the native library did not load";
        }
        try {
            FfmOps.ensureBound();
            return null;
        } catch (Throwable t) { // a library without the exported symbols, a linker refusal
            return "binding the FFM downcalls failed: " + t;
        }
    }

    /** @return the per-CPU operations with these {@code cpuopv_pc_*} flags */
    static PerCpuOps perCpuOps(int flags) {
        return Choice.JNI_REASON == null ? new FfmOps(flags) : new PerCpuOps.JniOps(flags);
    }

    /** @return how the per-CPU operations are called, and why that way */
    static String mechanism() {
        String why = Choice.JNI_REASON;
        return why == null ? "FFM (critical downcalls, Java " + Runtime.version().feature() + ")"
                : "JNI (" + why + ")";
    }
}
