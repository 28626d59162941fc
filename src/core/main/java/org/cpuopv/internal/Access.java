/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.internal;

import java.util.function.Function;
import org.cpuopv.CpuOpv;

/** Lets org.cpuopv.percpu reach a handle's internals (this package is not exported). */
public final class Access {
    private static volatile Function<CpuOpv, PerCpuOps> ops;

    private Access() {
    }

    /** Set once by CpuOpv's static initializer. */
    public static void setOps(Function<CpuOpv, PerCpuOps> f) {
        ops = f;
    }

    /** @return the per-CPU operations of {@code opv}'s backend */
    public static PerCpuOps ops(CpuOpv opv) {
        return ops.apply(opv);
    }
}
