/*
 * Licensed under the Apache License, Version 2.0.
 */
/**
 * Per-CPU data structures: the own-CPU operations run in one restartable sequence (one native
 * call, no system call), operations on another CPU through cpu_opv there (kernel backend) or by
 * moving the calling thread there and back (rseq backend). No structure needs a per-thread
 * object: the few bytes of native scratch an operation needs are the calling thread's own,
 * created on first use and freed with the thread.
 *
 * <p>A native call is a JNI call on Java 17, or on Java 22 and later with native access
 * enabled a critical FFM downcall, which has no thread-state transition and so costs about half
 * ({@link org.cpuopv.CpuOpv#downcallMechanism()} says which runs). A critical downcall holds off
 * safepoints while it runs, so it only ever makes the one rseq attempt; whatever may block
 * (more attempts, cpu_opv, a move to another CPU) is a second, ordinary downcall.
 *
 * <h2>One return convention</h2>
 * All seven structures answer the same way, so that a caller never has to remember which one
 * returns {@code -1}, which a boolean plus a side channel and which nothing:
 * <ol>
 * <li><b>Putting in</b> answers {@code boolean} when it can be refused, {@code false} meaning
 *     "full" or "held", nothing changed: {@code push}, {@code pushOn}, {@code offer},
 *     {@code tryLock}. What cannot be refused answers nothing: {@code add}, {@code addOn}, a list's
 *     {@code push}, {@code unlock}.</li>
 * <li><b>Taking out</b> answers what it took, as a primitive, and "nothing there" as a sentinel
 *     outside the results: where every {@code long} may be a result (the 64-bit values of the
 *     stacks, a list's node offsets) the caller names it, {@code pop(ifEmpty)},
 *     {@code popFrom(cpu, ifEmpty)}, {@code steal(victim, ifEmpty)}, {@code popAny(ifEmpty)};
 *     where results are never negative (record lengths, ring claims, a locked CPU) it is the
 *     class's constant {@code -1} ({@code EMPTY}, {@code FULL}).</li>
 * <li><b>Errors</b> are exceptions, never a code: {@link IllegalArgumentException} for a CPU the
 *     caller may not run on (outside its affinity mask, a container's cpuset, offline),
 *     {@link IllegalStateException} for a closed structure or a misused claim. An operation that
 *     throws has taken nothing out and put nothing in.</li>
 * <li>Nothing is answered through shared state (a context, a field of the structure): what an
 *     operation took, or claimed, is in its return value, so it cannot be confused with another
 *     structure's (the ring buffer's claim is a {@code long} naming CPU and position, ended by
 *     {@code commit(claim)} or {@code abort(claim)}).</li>
 * </ol>
 * Why this one: it is the convention of the JDK's and JCTools' queues ({@code offer} answers
 * boolean, {@code poll} a sentinel) and of Agrona's ring buffers (a claim index, then commit or
 * abort), made allocation-free (no {@code Optional}, no boxing: 0 bytes per operation) and
 * without the hidden per-context state that let one ring commit another's reservation.
 *
 * <h2>Which CPUs</h2>
 * Operations that visit several CPUs ({@code sumAndReset}, {@code popAny}) visit the CPUs the
 * calling thread may run on (its affinity mask), not every possible CPU: in a container whose
 * cpuset is smaller than the machine the others cannot be reached, and their data stays where it
 * is (still counted by {@code sum()}).
 */
package org.cpuopv.percpu;
