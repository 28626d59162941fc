/*
 * Licensed under the Apache License, Version 2.0.
 */

/**
 * cpu_opv for Java: run a vector of up to four small operations (compare, memcpy, add, and
 * their release forms) atomically on a chosen CPU, through the cpu_opv kernel module
 * ({@code /dev/cpu_opv}) or an in-process emulation.
 *
 * <ul>
 * <li>{@link org.cpuopv.CpuOpv}: the handle (open a {@link org.cpuopv.Backend}, capability
 *     queries, CPUs, {@code execute}); it owns all native memory below.</li>
 * <li>{@link org.cpuopv.PerCpuArena} / {@link org.cpuopv.Slot}: per-CPU off-heap memory with
 *     plain, acquire/release, volatile and CAS accessors.</li>
 * <li>{@link org.cpuopv.OpVector}: the reusable, validating, allocation-free vector builder.</li>
 * <li>{@link org.cpuopv.Outcome}: results as preallocated values;
 *     {@link org.cpuopv.CpuOpvException} and subclasses for errno failures;
 *     {@link org.cpuopv.RetryPolicy} for EAGAIN.</li>
 * <li>{@link org.cpuopv.ExecuteListener}: the observation seam for recorders.</li>
 * </ul>
 *
 * <p>The native library ({@code libcpuopv.so}, Linux x86-64) ships in the jar and is loaded on
 * first use of the kernel backend; nothing here needs {@code java.library.path}. The semantics
 * are those of the repository's {@code docs/semantics.md}.
 */
package org.cpuopv;
