/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.cpuopv.internal.NativeCalls;
import org.cpuopv.internal.NativeLibrary;
import org.cpuopv.internal.Abi;
import org.cpuopv.internal.Errno;

/**
 * The contract (docs/semantics.md), written once against the API and run on every backend in
 * scope: EMULATED everywhere, KERNEL where /dev/cpu_opv works (the VM).
 */
class BehaviourTest {
    private static final String BACKENDS = "org.cpuopv.TestBackends#backends";

    private static int anyCpu(CpuOpv opv) {
        return opv.currentCpu();
    }

    @ParameterizedTest
    @MethodSource(BACKENDS)
    void flagQueries(Backend b) {
        try (CpuOpv opv = CpuOpv.open(b)) {
            assertEquals(b, opv.backend());
            assertEquals(6, opv.supportedOps());
            assertEquals(4, opv.maxVectorLength());
            assertEquals(-Errno.EINVAL, opv.rawExec(0, 0, -1, 3), "both flags");
            assertEquals(-Errno.EINVAL, opv.rawExec(0, 0, -1, 4), "unknown flag bit");
            assertEquals(6, opv.rawExec(12345, 99, 1 << 20, 1), "a flag query ignores vector and cpu");
        }
    }

    @ParameterizedTest
    @MethodSource(BACKENDS)
    void emptyVectorIsDone(Backend b) {
        try (CpuOpv opv = CpuOpv.open(b); OpVector v = opv.newVector()) {
            assertSame(Outcome.DONE, opv.execute(v.on(anyCpu(opv))));
        }
    }

    @ParameterizedTest
    @MethodSource(BACKENDS)
    void compareStopsTheVectorAtItsIndex(Backend b) {
        try (CpuOpv opv = CpuOpv.open(b); PerCpuArena a = opv.allocateArena(64); OpVector v = opv.newVector()) {
            int cpu = anyCpu(opv);
            Slot s = a.slot(cpu);
            s.putLong(0, 5);
            v.on(cpu).compareEqLong(s, 0, 5).storeLong(s, 8, 1).compareEqLong(s, 0, 6).storeLong(s, 16, 1);
            Outcome o = opv.execute(v);
            assertSame(Outcome.compareFailedAt(2), o);
            assertEquals(2, o.failedIndex());
            assertEquals(1, s.getLong(8), "ops before the failed compare ran");
            assertEquals(0, s.getLong(16), "ops after it did not");
            v.on(cpu).compareNeLong(s, 0, 5).storeLong(s, 16, 1);
            assertSame(Outcome.compareFailedAt(0), opv.execute(v));
            v.on(cpu).compareNeInt(s, 0, 4).compareEqInt(s, 0, 5).storeLong(s, 16, 2);
            assertSame(Outcome.DONE, opv.execute(v));
            assertEquals(2, s.getLong(16));
        }
    }

    @ParameterizedTest
    @MethodSource(BACKENDS)
    void zeroLengthOperandsTouchNoMemory(Backend b) {
        try (CpuOpv opv = CpuOpv.open(b); PerCpuArena a = opv.allocateArena(64); OpVector v = opv.newVector()) {
            int cpu = anyCpu(opv);
            Slot s = a.slot(cpu);
            v.on(cpu).rawOp(OpType.COMPARE_EQ, 0, 0, 0, false, false)      // NULL, len 0: "equal"
                    .rawOp(OpType.MEMCPY, 0, 8, 0, false, false)            // NULL / unmapped, len 0
                    .storeLong(s, 0, 3);
            assertSame(Outcome.DONE, opv.execute(v));
            assertEquals(3, s.getLong(0));
            v.on(cpu).compareNe(s, 0, s, 8, 0).storeLong(s, 0, 4);
            assertSame(Outcome.compareFailedAt(0), opv.execute(v), "a 0-byte compare is equal, so NE stops");
            assertEquals(3, s.getLong(0));
            v.on(cpu).rawOp(OpType.COMPARE_EQ, Abi.TASK_SIZE, 0, 0, false, false);
            assertThrows(InvalidVectorException.class, () -> opv.execute(v),
                    "an address beyond user space is EINVAL even with len 0");
        }
    }

    @ParameterizedTest
    @MethodSource(BACKENDS)
    void memcpyAndStoresOfEveryShape(Backend b) {
        try (CpuOpv opv = CpuOpv.open(b); PerCpuArena a = opv.allocateArena(8192); OpVector v = opv.newVector()) {
            int cpu = anyCpu(opv);
            Slot s = a.slot(cpu);
            for (int i = 0; i < 4096; i++) {
                s.putByte(4096 + i, (byte) (i * 7 + 1));
            }
            for (int len : new int[] {1, 2, 3, 4, 8, 13, 64, 4095, 4096}) {
                s.fill(0, 4096, (byte) 0);
                v.on(cpu).memcpy(s, 0, s, 4096, len);
                assertSame(Outcome.DONE, opv.execute(v), "len " + len);
                for (int i = 0; i < 4096; i++) {
                    assertEquals(i < len ? s.getByte(4096 + i) : 0, s.getByte(i), "len " + len + " byte " + i);
                }
            }
            v.on(cpu).memcpyRelease(s, 1, s, 4096, 5).storeLongRelease(s, 8, -2).storeInt(s, 16, 7)
                    .storeIntRelease(s, 20, -7);
            assertSame(Outcome.DONE, opv.execute(v));
            assertEquals(s.getByte(4100), s.getByte(5));
            assertEquals(-2, s.getLong(8));
            assertEquals(7, s.getInt(16));
            assertEquals(-7, s.getInt(20));
            byte[] rec = "per-CPU record".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            v.on(cpu).storeBytes(s, 100, rec, 0, rec.length).compareEqBytes(s, 100, rec).compareNeBytes(s, 100, rec);
            assertSame(Outcome.compareFailedAt(2), opv.execute(v));
            byte[] back = new byte[rec.length];
            s.getBytes(100, back, 0, back.length);
            assertEquals(new String(rec, java.nio.charset.StandardCharsets.UTF_8),
                    new String(back, java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    @ParameterizedTest
    @MethodSource(BACKENDS)
    void addsWrapAtTheirWidth(Backend b) {
        try (CpuOpv opv = CpuOpv.open(b); PerCpuArena a = opv.allocateArena(64); OpVector v = opv.newVector()) {
            int cpu = anyCpu(opv);
            Slot s = a.slot(cpu);
            s.putByte(0, (byte) 127);
            s.putShort(2, (short) -1);
            s.putInt(4, Integer.MAX_VALUE);
            s.putLong(8, Long.MAX_VALUE);
            s.putLong(16, 10);
            s.putInt(24, 10);
            v.on(cpu).addByte(s, 0, (byte) 1).addShort(s, 2, (short) 2).addInt(s, 4, 1).addLong(s, 8, 1);
            assertSame(Outcome.DONE, opv.execute(v));
            assertEquals((byte) -128, s.getByte(0));
            assertEquals((short) 1, s.getShort(2));
            assertEquals(Integer.MIN_VALUE, s.getInt(4));
            assertEquals(Long.MIN_VALUE, s.getLong(8));
            assertEquals(0, s.getByte(1), "a 1-byte add touches one byte");
            v.on(cpu).addLongRelease(s, 16, -11).addIntRelease(s, 24, -11);
            assertSame(Outcome.DONE, opv.execute(v));
            assertEquals(-1, s.getLong(16));
            assertEquals(-1, s.getInt(24));
        }
    }

    @ParameterizedTest
    @MethodSource(BACKENDS)
    void invalidVectorsAreEinvalAndChangeNothing(Backend b) {
        try (CpuOpv opv = CpuOpv.open(b); PerCpuArena a = opv.allocateArena(8192); OpVector v = opv.newVector()) {
            int cpu = anyCpu(opv);
            Slot s = a.slot(cpu);
            long p = s.address();
            List<Runnable> builders = new ArrayList<>();
            builders.add(() -> { v.on(cpu).storeLong(s, 0, 9); v.rawPutInt(0, Abi.OFF_OP, 6); });  // unknown op
            builders.add(() -> { v.on(cpu).storeLong(s, 0, 9); v.rawPutInt(0, Abi.OFF_OP, -1); });
            builders.add(() -> v.on(cpu).storeLong(s, 0, 9).rawOp(OpType.ADD, p + 8, 1, 3, false, false));
            builders.add(() -> v.on(cpu).storeLong(s, 0, 9).rawOp(OpType.ADD, p + 8, 1, 16, false, false));
            builders.add(() -> v.on(cpu).storeLong(s, 0, 9).rawOp(OpType.MEMCPY, p, p + 4096, 4097, false, false));
            builders.add(() -> v.on(cpu).storeLong(s, 0, 9).rawOp(OpType.MEMCPY, p, p + 4096, 4096, false, false)
                    .rawOp(OpType.MEMCPY, p, p + 64, 17, false, false));               // 8 + 4096 + 17 > 4120
            builders.add(() -> v.on(cpu).storeLong(s, 0, 9).rawOp(OpType.COMPARE_EQ, p, -4096L, 8, false, false));
            builders.add(() -> v.on(cpu).storeLong(s, 0, 9).rawCpu(opv.possibleCpus().max() + 1));
            builders.add(() -> v.on(cpu).storeLong(s, 0, 9).rawCpu(-2));
            builders.add(() -> v.on(cpu).storeLong(s, 0, 9).rawCpu(1 << 20));
            int i = 0;
            for (Runnable build : builders) {
                build.run();
                int n = i++;
                InvalidVectorException e = assertThrows(InvalidVectorException.class, () -> opv.execute(v),
                        "case " + n + ": " + v.describe());
                assertEquals(Errno.EINVAL, e.errno());
                assertEquals("EINVAL", e.errnoName());
                assertTrue(e.getMessage().contains(v.describe()), e.getMessage());
                assertEquals(0, s.getLong(0), "case " + n + ": nothing ran");
            }
            v.on(cpu).storeLong(s, 0, 9);
            assertEquals(-Errno.EINVAL, opv.rawExec(v.opsAddress(), 5, cpu, 0), "cpuopcnt 5");
            assertEquals(-Errno.EINVAL, opv.rawExec(v.opsAddress(), -1, cpu, 0), "cpuopcnt -1");
            assertEquals(0, s.getLong(0));
        }
    }

    @ParameterizedTest
    @MethodSource(BACKENDS)
    void faultsAreEfaultOrExpected(Backend b) {
        NativeLibrary.ensureLoaded();
        long page = NativeCalls.mapMemory(4096, false);   // PROT_NONE: mapped, never accessible
        AtomicInteger runs = new AtomicInteger();
        ExecuteListener count = (backend, vec, callerCpu, result, start, dur) -> runs.incrementAndGet();
        try (CpuOpv opv = CpuOpv.open(b, count); PerCpuArena a = opv.allocateArena(64);
             OpVector v = opv.newVector()) {
            // unmapped: made after every other mapping of the test, so that none can reuse the hole
            long gone = NativeCalls.mapMemory(4096, true);
            NativeCalls.unmapMemory(gone, 4096);
            int cpu = anyCpu(opv);
            Slot s = a.slot(cpu);
            for (long bad : new long[] {page, gone}) {
                v.on(cpu).storeLong(s, 0, 1).rawOp(OpType.MEMCPY, s.address() + 8, bad, 8, false, false);
                String what = (bad == page ? "PROT_NONE" : "unmapped") + " src without expect_fault: ";
                assertEquals(-Errno.EFAULT, opv.rawExec(v.opsAddress(), v.size(), cpu, 0), what + v.describe());
                OperandFaultException e = assertThrows(OperandFaultException.class, () -> opv.execute(v));
                assertEquals(Errno.EFAULT, e.errno());
                assertEquals(0, s.getLong(0), "an EFAULT vector changes nothing");

                v.on(cpu).storeLong(s, 0, 1).rawOp(OpType.MEMCPY, s.address() + 8, bad, 8, false, true);
                assertEquals(-Errno.EAGAIN, opv.rawExec(v.opsAddress(), v.size(), cpu, 0), "with expect_fault_src");
                assertSame(Outcome.EXPECTED_FAULT, opv.execute(v));
                assertEquals(0, s.getLong(0), "an EAGAIN vector changes nothing");

                v.on(cpu).rawOp(OpType.ADD, bad, 1, 8, true, false);
                runs.set(0);
                assertSame(Outcome.EXPECTED_FAULT, opv.execute(v, RetryPolicy.upTo(3)));
                assertEquals(3, runs.get(), "upTo(3) runs the vector three times");

                v.on(cpu).rawOp(OpType.COMPARE_EQ, s.address(), bad, 8, true, false);
                assertThrows(OperandFaultException.class, () -> opv.execute(v), "the mark is per operand");
            }
            assertEquals(-Errno.EFAULT, opv.rawExec(page, 1, cpu, 0), "an unreadable vector is EFAULT");
            long closedAddress = s.address();
            a.close();
            assertThrows(IllegalStateException.class, () -> v.on(cpu).addLong(s, 0, 1), "a closed arena is refused");
            v.on(cpu).rawOp(OpType.ADD, closedAddress, 1, 8, false, false);
            if (b == Backend.EMULATED) {
                assertThrows(OperandFaultException.class, () -> opv.execute(v), "freed arena memory faults");
            } else {
                // The kernel cannot tell: the closed arena's pages stay mapped for the quarantine
                // (Quarantine), so a raw vector on them still runs, on memory nothing else owns.
                assertSame(Outcome.DONE, opv.execute(v), "closed arena memory stays mapped for a while");
            }
        } finally {
            NativeCalls.unmapMemory(page, 4096);
        }
    }

    @ParameterizedTest
    @MethodSource(BACKENDS)
    void runsOnEveryAllowedCpuIncludingRemoteOnes(Backend b) throws Exception {
        try (CpuOpv opv = CpuOpv.open(b); PerCpuArena a = opv.allocateArena(64); OpVector v = opv.newVector()) {
            CpuSet allowed = TestBackends.affinity();
            CpuSet online = opv.onlineCpus();
            for (int cpu : allowed.toArray()) {
                if (!online.contains(cpu)) {
                    continue;
                }
                v.on(cpu).addLong(a.slot(cpu), 0, cpu + 1).addLong(a.slot(0), 8, 1);
                assertSame(Outcome.DONE, opv.execute(v));
                assertEquals(cpu + 1, a.slot(cpu).getLong(0));
            }
            int first = allowed.get(0);
            assumeTrue(allowed.size() >= 2, "needs two allowed CPUs");
            int other = allowed.get(1);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread t = new Thread(() -> {
                try (OpVector w = opv.newVector()) {
                    TestBackends.pin(first);
                    assertEquals(first, opv.currentCpu());
                    w.on(other).addLong(a.slot(other), 16, 1);          // not in the mask now
                    InvalidVectorException e = assertThrows(InvalidVectorException.class, () -> opv.execute(w));
                    assertTrue(e.getMessage().contains("affinity"), e.getMessage());
                    TestBackends.pin(first, other);
                    assertSame(Outcome.DONE, opv.execute(w));           // remote CPU, in the mask
                    assertEquals(1, a.slot(other).getLong(16));
                } catch (Throwable x) {
                    failure.set(x);
                }
            });
            t.start();
            t.join();
            if (failure.get() != null) {
                throw new AssertionError(failure.get());
            }
        }
    }

    @ParameterizedTest
    @MethodSource(BACKENDS)
    void perCpuCounterIsExactUnderContention(Backend b) throws Exception {
        int threads = 2 * Math.max(2, Runtime.getRuntime().availableProcessors());
        int perThread = Integer.getInteger("cpuopv.test.iterations", 20_000);
        long timeoutSec = Long.getLong("cpuopv.test.stressTimeoutSec", 600);
        try (CpuOpv opv = CpuOpv.open(b); PerCpuArena a = opv.allocateArena(64)) {
            List<Thread> ts = new ArrayList<>();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            java.util.concurrent.atomic.AtomicLongArray done = new java.util.concurrent.atomic.AtomicLongArray(threads);
            java.util.concurrent.atomic.AtomicLongArray compareFailures =
                    new java.util.concurrent.atomic.AtomicLongArray(threads);
            for (int t = 0; t < threads; t++) {
                int me = t;
                Thread th = new Thread(() -> {
                    try (OpVector v = opv.newVector()) {
                        for (int i = 0; i < perThread; i++) {
                            int cpu = opv.currentCpu();
                            Slot s = a.slot(cpu);
                            // one ADD ...
                            v.on(cpu).addLong(s, 0, 1);
                            assertSame(Outcome.DONE, opv.execute(v));
                            // ... and a read-compare-store increment: exact only if the vector is atomic
                            for (;;) {
                                long seen = s.getLongAcquire(8);
                                v.on(cpu).compareEqLong(s, 8, seen).storeLong(s, 8, seen + 1);
                                if (opv.execute(v).isDone()) {
                                    break;
                                }
                                compareFailures.incrementAndGet(me);
                            }
                            done.incrementAndGet(me);
                        }
                    } catch (Throwable x) {
                        failure.compareAndSet(null, x);
                    }
                }, "counter-" + t);
                th.setDaemon(true); // a hung backend must not keep the JVM alive
                ts.add(th);
            }
            ts.forEach(Thread::start);
            long deadline = System.nanoTime() + timeoutSec * 1_000_000_000L;
            for (Thread t : ts) {
                t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            }
            if (ts.stream().anyMatch(Thread::isAlive)) {
                StringBuilder sb = new StringBuilder("not finished after " + timeoutSec + " s; per thread done/"
                        + perThread + " (compare failures): ");
                for (int t = 0; t < threads; t++) {
                    sb.append(done.get(t)).append(" (").append(compareFailures.get(t)).append(") ");
                }
                for (Thread t : ts) {
                    if (t.isAlive()) {
                        sb.append("\n").append(t.getName()).append(':');
                        for (StackTraceElement e : t.getStackTrace()) {
                            sb.append("\n    at ").append(e);
                        }
                    }
                }
                throw new AssertionError(sb.toString());
            }
            if (failure.get() != null) {
                throw new AssertionError(failure.get());
            }
            long adds = 0;
            long cas = 0;
            for (int cpu : opv.possibleCpus().toArray()) {
                adds += a.slot(cpu).getLongVolatile(0);
                cas += a.slot(cpu).getLongVolatile(8);
            }
            assertEquals((long) threads * perThread, adds);
            assertEquals((long) threads * perThread, cas);
        }
    }

    /**
     * Use after close must not crash the JVM: one thread runs execute + volatile reads on an
     * arena while another closes it (or the whole handle). Every access that starts after the
     * close throws IllegalStateException; one that raced it touches memory still mapped
     * (Quarantine); an execute that raced it runs, or with the emulated backend may answer
     * EFAULT. Before the quarantine, the kernel backend died here with SIGSEGV in
     * Unsafe_GetLongVolatile.
     */
    @ParameterizedTest
    @MethodSource(BACKENDS)
    void closeRacingExecuteAndReadsNeverCrashes(Backend b) throws Exception {
        int rounds = Integer.getInteger("cpuopv.test.closeRaces", 200);
        java.util.Random random = new java.util.Random(42);
        int afterClose = 0;
        for (int round = 0; round < rounds; round++) {
            boolean wholeHandle = round % 4 == 3;
            CpuOpv opv = CpuOpv.open(b);
            PerCpuArena a = opv.allocateArena(64);
            OpVector v = opv.newVector();
            int cpu = anyCpu(opv);
            Slot s = a.slot(cpu);
            java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.atomic.AtomicReference<Throwable> unexpected = new java.util.concurrent.atomic.AtomicReference<>();
            java.util.concurrent.atomic.AtomicBoolean sawClosed = new java.util.concurrent.atomic.AtomicBoolean();
            Thread user = new Thread(() -> {
                long sum = 0;
                try {
                    started.countDown();
                    for (long i = 0; ; i++) {
                        v.reset().on(cpu).addLong(s, 0, 1);
                        try {
                            opv.execute(v);
                        } catch (OperandFaultException raced) {
                            // the emulated engine dropped the block between execute's check and
                            // the run: EFAULT, nothing ran (the kernel runs it on the held pages)
                            assertEquals(Backend.EMULATED, b, raced.toString());
                        }
                        sum += s.getLongVolatile(0);
                        sum += s.getLong(8);
                        if ((i & 7) == 0) {
                            s.putLongRelease(16, i);
                        }
                    }
                } catch (IllegalStateException closed) {
                    sawClosed.set(true);
                } catch (Throwable t) {
                    unexpected.set(t);
                }
                if (sum == 42) {
                    System.out.print("");
                }
            }, "close-race-user");
            user.start();
            started.await();
            long spin = random.nextInt(200_000);
            long until = System.nanoTime() + spin;
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
            if (wholeHandle) {
                opv.close();
            } else {
                a.close();
            }
            user.join(30_000);
            assertTrue(!user.isAlive(), "round " + round + ": the user thread did not stop after close");
            if (unexpected.get() != null) {
                throw new AssertionError("round " + round + ": not an IllegalStateException", unexpected.get());
            }
            assertTrue(sawClosed.get(), "round " + round + ": the user thread never saw the close");
            afterClose++;
            assertThrows(IllegalStateException.class, () -> s.getLongVolatile(0), "a read after close");
            assertThrows(IllegalStateException.class, () -> s.putLong(0, 1), "a write after close");
            opv.close();
        }
        assertEquals(rounds, afterClose);
    }

    @ParameterizedTest
    @MethodSource(BACKENDS)
    void executeAllocatesNothingOnAReusedVector(Backend b) {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(mx.isThreadAllocatedMemorySupported());
        try (CpuOpv opv = CpuOpv.open(b); PerCpuArena a = opv.allocateArena(64); OpVector v = opv.newVector()) {
            int cpu = anyCpu(opv);
            Slot s = a.slot(cpu);
            long sink = 0;
            long n = 0;
            for (int round = 0; round < 2; round++) {
                long tid = Thread.currentThread().getId();
                long before = mx.getThreadAllocatedBytes(tid);
                for (int i = 0; i < 50_000; i++, n++) {
                    v.on(cpu).compareEqLong(s, 0, n).storeLong(s, 0, n + 1).addLong(s, 8, 1);
                    sink += opv.execute(v).raw();
                }
                long allocated = mx.getThreadAllocatedBytes(tid) - before;
                if (round == 1) {
                    assertTrue(allocated < 1024, "50000 executes allocated " + allocated + " bytes");
                }
            }
            assertEquals(0, sink);
            assertEquals(100_000, s.getLong(8));
        }
    }

    @ParameterizedTest
    @MethodSource(BACKENDS)
    void theListenerSeesEveryRun(Backend b) {
        List<String> seen = new ArrayList<>();
        ExecuteListener l = (backend, vec, callerCpu, result, start, dur) ->
                seen.add(backend + " cpu=" + vec.targetCpu() + " ops=" + vec.size() + " op0=" + vec.opType(0)
                        + " result=" + result + " caller=" + (callerCpu >= 0) + " dur=" + (dur >= 0));
        try (CpuOpv opv = CpuOpv.open(b, l); PerCpuArena a = opv.allocateArena(64); OpVector v = opv.newVector()) {
            int cpu = anyCpu(opv);
            v.on(cpu).compareEqLong(a.slot(cpu), 0, 1);
            assertSame(Outcome.compareFailedAt(0), opv.execute(v));
            assertEquals(List.of(b + " cpu=" + cpu + " ops=1 op0=COMPARE_EQ result=1 caller=true dur=true"), seen);
        }
    }
}
