/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.percpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

import org.cpuopv.Backend;
import org.cpuopv.CpuOpv;
import org.cpuopv.OpVector;
import org.cpuopv.Outcome;
import org.cpuopv.PageRegion;
import org.cpuopv.PerCpuArena;
import org.cpuopv.Slot;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class PerCpuLifoListTest {
    private static final long NEXT = 0;
    private static final long EMPTY = -1;
    private static final long ID = 8;
    private static final long CHECK = 16;

    private static long check(long id) {
        return id * 0x9E3779B97F4A7C15L ^ 0xC0FFEE;
    }

    @ParameterizedTest
    @MethodSource(PerCpuSpinLockTest.BACKENDS)
    void lifoOrderPerCpu(Backend b) {
        try (CpuOpv opv = CpuOpv.open(b); PageRegion nodes = PageRegion.allocate(opv, 4);
             PerCpuLifoList list = new PerCpuLifoList(opv, nodes, NEXT); PerCpuContext ctx = new PerCpuContext(opv)) {
            int cpu = ctx.currentCpu();
            assertEquals(EMPTY, list.popFrom(cpu, EMPTY));
            for (int i = 0; i < 3; i++) {
                list.pushOn(cpu, PageRegion.pageOffset(i));
            }
            for (int i = 2; i >= 0; i--) {
                assertEquals(PageRegion.pageOffset(i), list.popFrom(cpu, EMPTY));
            }
            assertTrue(list.isEmpty(cpu));
        }
    }

    /**
     * The race the expect-fault flag exists for, made deterministic: a pop vector built from the
     * head X, then X popped by someone else and its page unmapped, then the stale vector run.
     * The kernel answers EAGAIN (nothing changed, pop retries); the emulated engine, which
     * cannot unmap part of a block, runs the compare, which fails. Never EFAULT or a crash.
     */
    @ParameterizedTest
    @MethodSource(PerCpuSpinLockTest.BACKENDS)
    void aFreedNodeGivesEagainNotAFault(Backend b) {
        try (CpuOpv opv = CpuOpv.open(b); PageRegion nodes = PageRegion.allocate(opv, 4);
             PerCpuLifoList list = new PerCpuLifoList(opv, nodes, NEXT); PerCpuContext ctx = new PerCpuContext(opv);
             PerCpuArena probe = opv.allocateArena(8); OpVector stale = opv.newVector()) {
            int cpu = ctx.currentCpu();
            list.pushOn(cpu, PageRegion.pageOffset(1));
            list.pushOn(cpu, PageRegion.pageOffset(2));
            // What a slower popper built from head == node 2 (the list's own vector, on a copy of its head).
            Slot copy = probe.slot(cpu);
            copy.putLong(0, nodes.address() + PageRegion.pageOffset(2));
            stale.on(cpu).compareEqLong(copy, 0, nodes.address() + PageRegion.pageOffset(2))
                    .memcpy(copy, 0, nodes, PageRegion.pageOffset(2) + NEXT, 8).expectFaultSrc();
            assertEquals(PageRegion.pageOffset(2), list.popFrom(cpu, EMPTY));
            assertTrue(nodes.releasePage(2));
            copy.putLong(0, 0); // the real head moved on: the compare would fail
            Outcome o = opv.execute(stale);
            if (b == Backend.KERNEL) {
                assertSame(Outcome.EXPECTED_FAULT, o, "the freed node's next is unmapped: EAGAIN");
            } else {
                assertSame(Outcome.compareFailedAt(0), o);
            }
            // With the head still naming the freed node the kernel must fault too (it cannot read it).
            copy.putLong(0, nodes.address() + PageRegion.pageOffset(2));
            if (b == Backend.KERNEL) {
                assertSame(Outcome.EXPECTED_FAULT, opv.execute(stale));
                assertEquals(nodes.address() + PageRegion.pageOffset(2), copy.getLong(0), "nothing ran");
            }
            assertEquals(PageRegion.pageOffset(1), list.popFrom(cpu, EMPTY));
            assertEquals(EMPTY, list.popFrom(cpu, EMPTY));
        }
    }

    /**
     * Every node (one per page) is pushed once by its owner on the CPU it runs on, popped once by
     * anyone from their CPU's list or a random CPU's, checked, and its page unmapped at once,
     * while other threads may still hold it as a stale head: those pops must get EAGAIN or a
     * failed compare and retry. Each node must come out exactly once, with its payload intact.
     */
    @Tag(Stress.TAG)
    @ParameterizedTest
    @MethodSource(PerCpuSpinLockTest.BACKENDS)
    void everyNodePoppedOnceWhileNodesAreFreed(Backend b) throws Exception {
        int threads = Stress.threads();
        int n = Stress.ops(4_000, 400);
        long start = System.nanoTime();
        AtomicIntegerArray popped = new AtomicIntegerArray(n);
        AtomicInteger poppedCount = new AtomicInteger();
        try (CpuOpv opv = CpuOpv.open(b); PageRegion nodes = PageRegion.allocate(opv, n);
             PerCpuLifoList list = new PerCpuLifoList(opv, nodes, NEXT)) {
            List<Stress.Worker> ws = Stress.run(opv, threads, 600, (id, w) -> {
                int next = id * n / threads;
                int end = (id + 1) * n / threads;
                while (next < end || poppedCount.get() < n) {
                    w.maybeMigrate();
                    if (next < end && w.rnd.nextBoolean()) {
                        long node = PageRegion.pageOffset(next);
                        nodes.putLong(node + ID, next);
                        nodes.putLong(node + CHECK, check(next));
                        list.push(node);
                        next++;
                        continue;
                    }
                    long node = list.pop(EMPTY);
                    if (node == EMPTY && w.unpinned()) {
                        node = list.popFrom(w.randomCpu(), EMPTY);
                    }
                    if (node == EMPTY) {
                        Thread.yield();
                        continue;
                    }
                    int page = (int) (node / PageRegion.PAGE_SIZE);
                    assertEquals(PageRegion.pageOffset(page), node, "a node offset off its page");
                    long nodeId = nodes.getLong(node + ID);
                    assertEquals(page, nodeId, "node id");
                    assertEquals(check(nodeId), nodes.getLong(node + CHECK), "node payload torn");
                    assertEquals(0, popped.getAndIncrement(page), "node " + page + " popped twice");
                    poppedCount.incrementAndGet();
                    nodes.releasePage(page);
                }
            });
            for (int i = 0; i < n; i++) {
                assertEquals(1, popped.get(i), "node " + i);
            }
            for (int i = 0; i < opv.possibleCpus().size(); i++) {
                assertTrue(list.isEmpty(opv.possibleCpus().get(i)));
            }
            Stress.requireForcedSlowPath(opv, 2L * n, "LIFO list"); // each node pushed and popped
            Stress.report("LIFO list", opv, start, threads + " threads, " + n + " nodes each pushed, popped and"
                    + " unmapped once; " + Stress.total(ws, w -> w.ctx.expectedFaults()) + " EAGAIN on freed nodes, "
                    + Stress.total(ws, w -> w.ctx.retries()) + " failed compares, "
                    + Stress.total(ws, w -> w.moves) + " migrations");
        }
    }
}
