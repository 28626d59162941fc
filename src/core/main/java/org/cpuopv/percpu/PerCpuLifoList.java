/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.percpu;

import org.cpuopv.CpuOpv;
import org.cpuopv.Outcome;
import org.cpuopv.PageRegion;
import org.cpuopv.Region;
import org.cpuopv.Slot;

/**
 * One intrusive LIFO linked list per CPU, of nodes living in a caller-owned native
 * {@link Region}: use case 3 of cpu_opv. Each CPU's slot holds the head (the address of the
 * first node, 0 when empty); each node holds the address of the next one at
 * {@code nextOffset}. Nodes are named by their offset in the node region.
 *
 * <ul>
 * <li>push(node) on CPU c: {@code node.next = head} (plain write: the node is the caller's),
 *     then a vector on c "compare head == read head, store-release head = node";</li>
 * <li>pop on CPU c: read {@code h = head}, then a vector on c "compare head == h,
 *     copy h->next into head", the read of {@code h->next} marked expect-fault. If h was popped
 *     and its memory freed by another thread in between (a {@link PageRegion} page released),
 *     the vector gets EAGAIN instead of EFAULT or a crash: nothing changes, pop re-reads and
 *     retries. When the compare holds, h is still the head, so it is alive and its next is
 *     current: the vector is atomic on c, there is no ABA problem.</li>
 * </ul>
 *
 * <p><b>Guarantees.</b> Every pushed node is popped at most once per push, and none is lost:
 * a node pushed on CPU c stays in c's list until a pop (on any CPU's list) returns it.
 * LIFO order per CPU. A popped node belongs to the caller, who may reuse, push again or free it.
 *
 * <p><b>Memory ordering.</b> Push publishes with release: everything the pusher wrote into the
 * node before pushing is visible to the thread that pops it (pop reads the head with acquire).
 *
 * <p><b>Costs.</b> One {@code sched_getcpu} and one execute per attempt; an attempt fails and is
 * retried (counted in {@link PerCpuContext#retries()} / {@link PerCpuContext#expectedFaults()})
 * only when another thread changed that CPU's head in between. Empty: no execute.
 * Memory: 128 bytes per possible CPU plus the caller's nodes.
 *
 * <p><b>Migration and CPUs.</b> {@link #push}/{@link #tryPop} target the CPU read just before;
 * migration in between is harmless (the vector runs on that CPU's list all the same).
 * {@link #pushOn}/{@link #tryPopFrom} target any CPU, which must be in the caller's affinity mask.
 */
public final class PerCpuLifoList extends PerCpuStructure {
    private static final long HEAD = 0;
    /** What {@link #tryPop} answers for an empty list. */
    public static final long EMPTY = -1;

    private final Region nodes;
    private final long base;
    private final long nextOffset;

    /**
     * @param opv        the handle; {@code nodes} must belong to it
     * @param nodes      where the nodes live (e.g. a {@link PageRegion}, one node per page)
     * @param nextOffset where in a node its next pointer lives (8-byte aligned)
     */
    public PerCpuLifoList(CpuOpv opv, Region nodes, long nextOffset) {
        super(opv, 8);
        if (nextOffset < 0 || (nextOffset & 7) != 0) {
            throw new IllegalArgumentException("nextOffset " + nextOffset + " must be >= 0 and 8-byte aligned");
        }
        this.nodes = nodes;
        this.base = nodes.address();
        this.nextOffset = nextOffset;
    }

    private void checkNode(long node) {
        if (node < 0 || (node & 7) != 0 || node > nodes.byteSize() - nextOffset - 8) {
            throw new IllegalArgumentException("node offset " + node + " is not an 8-byte aligned node of "
                    + nodes.byteSize() + " bytes of node memory with next at " + nextOffset);
        }
    }

    /**
     * Pushes {@code node} (an offset in the node region, owned by the caller) on the CPU the
     * caller runs on.
     *
     * @return the CPU whose list it went on
     */
    public int push(PerCpuContext ctx, long node) {
        check(ctx);
        checkNode(node);
        for (;;) {
            int cpu = ctx.currentCpu();
            if (attemptPush(ctx, cpu, node)) {
                return cpu;
            }
        }
    }

    /** Pushes {@code node} on {@code cpu}'s list. */
    public void pushOn(PerCpuContext ctx, int cpu, long node) {
        check(ctx);
        checkNode(node);
        while (!attemptPush(ctx, cpu, node)) {
            Thread.onSpinWait();
        }
    }

    private boolean attemptPush(PerCpuContext ctx, int cpu, long node) {
        Slot s = slot(cpu);
        long head = s.getLongAcquire(HEAD);
        nodes.putLong(node + nextOffset, head);
        ctx.vector.on(cpu).compareEqLong(s, HEAD, head).storeLongRelease(s, HEAD, base + node);
        return ctx.run() == Outcome.DONE;
    }

    /** @return the node popped from the current CPU's list, or {@link #EMPTY} */
    public long tryPop(PerCpuContext ctx) {
        check(ctx);
        for (;;) {
            int cpu = ctx.currentCpu();
            long r = attemptPop(ctx, cpu);
            if (r != RETRY) {
                return r;
            }
        }
    }

    /** @return the node popped from {@code cpu}'s list, or {@link #EMPTY} */
    public long tryPopFrom(PerCpuContext ctx, int cpu) {
        check(ctx);
        for (;;) {
            long r = attemptPop(ctx, cpu);
            if (r != RETRY) {
                return r;
            }
            Thread.onSpinWait();
        }
    }

    private static final long RETRY = -2;

    private long attemptPop(PerCpuContext ctx, int cpu) {
        Slot s = slot(cpu);
        long head = s.getLongAcquire(HEAD);
        if (head == 0) {
            return EMPTY;
        }
        long node = head - base;
        ctx.vector.on(cpu)
                .compareEqLong(s, HEAD, head)
                .memcpy(s, HEAD, nodes, node + nextOffset, 8).expectFaultSrc();
        return ctx.run() == Outcome.DONE ? node : RETRY;
    }

    /** @return whether {@code cpu}'s list is empty now (an acquire read; a hint) */
    public boolean isEmpty(int cpu) {
        return slot(cpu).getLongAcquire(HEAD) == 0;
    }
}
