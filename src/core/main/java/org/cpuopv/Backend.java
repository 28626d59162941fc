/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv;

/** Which implementation runs the vectors of a {@link CpuOpv}. */
public enum Backend {
    /**
     * The cpu_opv kernel module through {@code /dev/cpu_opv}: each vector runs on the target CPU
     * with interrupts off (or in an IPI), atomic against everything that runs on that CPU.
     */
    KERNEL,
    /**
     * In process: each vector runs under a per-CPU lock of the handle. Same validation and same
     * results as the kernel, but atomic only against other vectors run through the same handle;
     * plain Java accesses to the memory and other processes are not excluded. For machines
     * without the module (laptops, containers, CI hosts).
     */
    EMULATED,
    /**
     * {@link #KERNEL} when it is available, else {@link #EMULATED}; the choice and the reason
     * are logged through {@link System.Logger} ("org.cpuopv", level INFO). Only resolved at open:
     * {@link CpuOpv#backend()} never answers AUTO.
     */
    AUTO
}
