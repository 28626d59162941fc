/*
 * Licensed under the Apache License, Version 2.0.
 */

/**
 * cpu_opv for Java: per-CPU atomic operation vectors through the cpu_opv kernel module or an
 * in-process emulation, and per-CPU data structures built on them.
 *
 * <p>Exports only the API: {@link org.cpuopv} (the handle, vectors, per-CPU memory, results)
 * and {@link org.cpuopv.percpu} (the structures). The backends, the native calls and the
 * memory blocks live in {@code org.cpuopv.internal}, which is not exported. Recorders plug in
 * as {@link org.cpuopv.ExecuteListenerProvider} services (module {@code org.cpuopv.dump}).
 */
module org.cpuopv {
    // sun.misc.Unsafe: native memory by address on Java 17 (no flags needed), and on 22+
    // without native access (with it, org.cpuopv.internal.Mem goes through FFM)
    requires jdk.unsupported;

    exports org.cpuopv;
    exports org.cpuopv.percpu;

    uses org.cpuopv.ExecuteListenerProvider;
}
