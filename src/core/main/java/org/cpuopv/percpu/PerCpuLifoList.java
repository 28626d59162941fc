/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.percpu;

import org.cpuopv.CpuOpv;
import org.cpuopv.PageRegion;
import org.cpuopv.Region;
import org.cpuopv.internal.Mem;
import org.cpuopv.internal.PerCpuOps;
import org.cpuopv.internal.ThreadState;

/**
 * One intrusive LIFO linked list per CPU, of nodes living in a caller-owned native
 * {@link Region}: use case 3 of cpu_opv. Each CPU's slot holds the head (the address of the
 * first node, 0 when empty); each node holds the address of the next one at
 * {@code nextOffset}. Nodes are named by their offset in the node region.
 *
 * <ul>
 * <li>{@link #push} on the caller's CPU: one restartable sequence "read the CPU and its head h,
 *     {@code node.next = h} (the node is the caller's), commit head = node";</li>
 * <li>{@link #pop} on the caller's CPU: one sequence "h = head; empty if 0; n = h.next; commit
 *     head = n". Every change of a CPU's head runs on that CPU (its sequences, or cpu_opv there,
 *     which aborts them), so h is still the head, alive and with a current next, for the whole
 *     sequence: no ABA problem, and a node is never read after it was popped.</li>
 * <li>{@link #pushOn}/{@link #popFrom} another CPU: cpu_opv there (kernel backend), the read of
 *     {@code h.next} marked expect-fault: if h was popped and its memory freed in between (a
 *     {@link PageRegion} page released) the vector gets EAGAIN, changes nothing, and is redone;
 *     with the rseq backend the thread moves there, runs the sequence and moves back.</li>
 * </ul>
 *
 * <p><b>Guarantees.</b> Every pushed node is popped at most once per push, and none is lost:
 * a node pushed on CPU c stays in c's list until a pop (on any CPU's list) returns it.
 * LIFO order per CPU. A popped node belongs to the caller, who may reuse, push again or free it.
 *
 * <p><b>Memory ordering.</b> Push publishes with release (x86: the commit store): everything the
 * pusher wrote into the node before pushing is visible to the thread that pops it.
 *
 * <p><b>Costs.</b> {@link #push}/{@link #pop}: one native call each, no system call (cpu_opv only
 * after repeated aborts, kernel backend), nothing allocated, no context. Memory: 128 bytes per
 * possible CPU plus the caller's nodes.
 *
 * <p><b>Migration and CPUs.</b> {@link #push}/{@link #pop} read the CPU inside the sequence (a
 * migration restarts it there). {@link #pushOn}/{@link #popFrom} target any CPU in the
 * caller's affinity mask (else IllegalArgumentException).
 */
public final class PerCpuLifoList extends PerCpuStructure {
    private final Region nodes;
    private final long nodesBase;
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
        this.nodesBase = nodes.address();
        this.nextOffset = nextOffset;
    }

    private long checkNode(long node) {
        if (node < 0 || (node & 7) != 0 || node > nodes.byteSize() - nextOffset - 8) {
            throw new IllegalArgumentException("node offset " + node + " is not an 8-byte aligned node of "
                    + nodes.byteSize() + " bytes of node memory with next at " + nextOffset);
        }
        if (!nodes.isOpen()) {
            throw new IllegalStateException("the node memory is closed");
        }
        return nodesBase + node;
    }

    /**
     * Pushes {@code node} (an offset in the node region, owned by the caller) on the CPU the
     * caller runs on. A list never fills: nothing to answer.
     *
     * @param node the node's offset in the node region, the caller's: &gt;= 0, 8-byte aligned, with its next
     *             pointer ({@code node + nextOffset}) inside the region
     * @throws IllegalArgumentException when {@code node} is not such an offset
     * @throws IllegalStateException when the list or the node memory is closed, or the native call reports an
     *         error (the message names it)
     */
    public void push(long node) {
        long address = checkNode(node);
        checkOpen();
        PerCpuOps.check(ops.listPush(base, stride, address, nextOffset, -1), "push");
    }

    /**
     * Pushes {@code node} on {@code cpu}'s list (cpu_opv there, or a move there).
     *
     * @param cpu  the CPU whose list to push on: a possible CPU in the caller's affinity mask
     * @param node the node's offset in the node region, the caller's: &gt;= 0, 8-byte aligned, with its next
     *             pointer ({@code node + nextOffset}) inside the region
     * @throws IllegalArgumentException when {@code node} is not such an offset, or {@code cpu} is not a possible
     *         CPU or (kernel and rseq backends) not one the calling thread may run on (its affinity mask or
     *         cpuset) or offline
     * @throws IllegalStateException when the list or the node memory is closed, or the native call reports an
     *         error (the message names it)
     */
    public void pushOn(int cpu, long node) {
        long address = checkNode(node);
        PerCpuOps.check(ops.listPush(base, stride, address, nextOffset, target(cpu)), "pushOn");
    }

    /**
     * Pops from the list of the CPU the caller runs on.
     *
     * @param ifEmpty what to answer when that list is empty (node offsets are &gt;= 0: -1 will do)
     * @return the offset of the node popped, now the caller's, or {@code ifEmpty}
     * @throws IllegalStateException when the structure is closed, or the native call reports an error (the
     *         message names it)
     */
    public long pop(long ifEmpty) {
        checkOpen();
        ThreadState ts = ThreadState.current();
        return PerCpuOps.check(ops.listPop(base, stride, nextOffset, -1, ts.out), "pop") >= 0
                ? Mem.getLong(ts.out) - nodesBase : ifEmpty;
    }

    /**
     * Pops from {@code cpu}'s list (cpu_opv there, or a move there).
     *
     * @param cpu     the CPU whose list to pop from: a possible CPU in the caller's affinity mask
     * @param ifEmpty what to answer when that list is empty (node offsets are &gt;= 0: -1 will do)
     * @return the node (its offset in the node region, now the caller's), or {@code ifEmpty}
     * @throws IllegalArgumentException when {@code cpu} is not a possible CPU, or (kernel and rseq backends)
     *         not one the calling thread may run on (its affinity mask or cpuset) or offline
     * @throws IllegalStateException when the structure is closed, or the native call reports an error (the
     *         message names it)
     */
    public long popFrom(int cpu, long ifEmpty) {
        ThreadState ts = ThreadState.current();
        return PerCpuOps.check(ops.listPop(base, stride, nextOffset, target(cpu), ts.out), "popFrom") >= 0
                ? Mem.getLong(ts.out) - nodesBase : ifEmpty;
    }

    /**
     * @param cpu the CPU whose list to look at: a possible CPU
     * @return whether {@code cpu}'s list is empty now (an acquire read; a hint)
     * @throws IllegalArgumentException when {@code cpu} is not a possible CPU
     * @throws IllegalStateException when the structure is closed
     */
    public boolean isEmpty(int cpu) {
        return slot(cpu).getLongAcquire(0) == 0;
    }
}
