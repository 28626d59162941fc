/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.percpu;

import java.util.Objects;

import org.cpuopv.CpuOpv;
import org.cpuopv.Slot;
import org.cpuopv.internal.Mem;
import org.cpuopv.internal.PerCpuOps;
import org.cpuopv.internal.ThreadState;

/**
 * A FIFO ring buffer of records per CPU, many producers and one consumer: use case 7 of
 * cpu_opv. A producer claims an entry on the CPU it runs on, writes the record with plain Java
 * stores wherever it runs by then, and commits <em>on the CPU it claimed on</em>, even if it
 * was migrated in between: the commit runs on that CPU, which is exactly what cpu_opv adds to
 * rseq.
 *
 * <ul>
 * <li>{@link #tryClaim()}: one restartable sequence on the caller's CPU c "h = head, t = tail;
 *     full if h - t &gt;= capacity; commit head = h + 1". The answer is a <em>claim</em>, a
 *     {@code long} naming (c, h): the entry is the caller's, and only the claim says which one
 *     (nothing is kept in the ring, a context or a thread);</li>
 * <li>{@link #write} / {@link #claimSlot}: fill the entry (plain stores; nobody else touches it);</li>
 * <li>{@link #commit}: an add of 1 on the entry's commit counter, run on c: a sequence when the
 *     caller still runs on c, else cpu_opv on c (kernel backend) or a move to c and back (rseq
 *     backend). The counter is per entry so that producers may commit out of order: the entry
 *     at position p is committed when its counter equals {@code p / capacity + 1} (one commit
 *     per lap of the ring);</li>
 * <li>{@link #abort}: the same commit with the length marked aborted: the consumer skips the
 *     entry. A claim is always ended by exactly one commit or abort, so an exception between
 *     them ({@code try { ... commit } catch { abort }}, or {@link #offer}, which does it) never
 *     blocks the buffer;</li>
 * <li>{@link #poll} (the consumer): at position {@code tail}, an acquire read of the entry's
 *     commit counter; if committed, copy the record out (or skip an aborted one) and
 *     store-release {@code tail + 1}.</li>
 * </ul>
 *
 * <p>This is the protocol of Agrona's ring buffers ({@code tryClaim} / {@code commit} /
 * {@code abort}), per CPU.
 *
 * <p><b>Guarantees.</b> The consumer gets every committed record exactly once, intact, and per CPU
 * in claim order; it never sees a claimed but unfinished record, and stops at the first one (so
 * a claim must be committed or aborted: one never ended blocks that CPU's buffer).
 * {@link #commit}/{@link #abort} check the claim is outstanding in this ring (claimed, not yet
 * ended, not consumed) and throw IllegalStateException otherwise: a double commit, or a claim of
 * another ring whose position is not outstanding here, is refused, not silently applied.
 * One consumer at a time per buffer (it alone writes {@code tail}, with a plain release store,
 * which is why that store needs no sequence); producers may be any number of threads.
 *
 * <p><b>Memory ordering.</b> Commit is a release (the record's bytes are visible before the
 * counter), the consumer's read of it an acquire; the consumer's tail store is a release, so a
 * producer that claims an entry after reading the new tail cannot overwrite a record being read.
 *
 * <p><b>Costs.</b> Claim: one JNI call, no system call. Commit: one JNI call, a sequence on the
 * claiming CPU, or one cpu_opv (an IPI) when the producer was migrated. Poll: no call. Nothing
 * allocated. Memory per possible CPU: {@code 128 + capacity * (16 + maxRecord rounded up to 8)}.
 *
 * <p><b>Migration and CPUs.</b> The claiming CPU must still be in the producer's affinity mask at
 * commit (it is unless the producer narrows its own mask in between; with the kernel backend the
 * library then moves it there).
 */
public final class PerCpuRingBuffer extends PerCpuStructure {
    /** What {@link #tryClaim} answers when the buffer is full, and {@link #poll} when empty. */
    public static final int EMPTY = -1;
    /** Same value as {@link #EMPTY}: no claim. */
    public static final long FULL = -1;
    private static final long HEAD = 0;
    private static final long TAIL = 64;
    private static final long ENTRIES = 128;
    private static final long COMMIT = 0;
    private static final long LENGTH = 8;
    private static final long DATA = 16;
    private static final int ABORTED = -1;
    private static final int POSITION_BITS = 48;
    private static final long POSITION_MASK = (1L << POSITION_BITS) - 1;

    private final int capacity;
    private final int maxRecord;
    private final long entrySize;

    /**
     * @param opv       the handle that owns the memory
     * @param capacity  entries per CPU, at least 1
     * @param maxRecord the largest record in bytes, at least 1
     */
    public PerCpuRingBuffer(CpuOpv opv, int capacity, int maxRecord) {
        super(opv, slotBytes(capacity, maxRecord));
        if (opv.possibleCpus().max() >= (1 << (63 - POSITION_BITS))) {
            throw new IllegalArgumentException("more CPUs than a claim can name");
        }
        this.capacity = capacity;
        this.maxRecord = maxRecord;
        this.entrySize = DATA + ((maxRecord + 7L) & ~7L);
    }

    private static int slotBytes(int capacity, int maxRecord) {
        long bytes = ENTRIES + capacity * (DATA + ((maxRecord + 7L) & ~7L));
        if (capacity < 1 || maxRecord < 1 || bytes > (1 << 24)) {
            throw new IllegalArgumentException("capacity " + capacity + " of " + maxRecord
                    + "-byte records is not in 1..(16 MiB per CPU)");
        }
        return (int) bytes;
    }

    /** @return entries per CPU */
    public int capacity() {
        return capacity;
    }

    /** @return the largest record in bytes */
    public int maxRecord() {
        return maxRecord;
    }

    private long entry(long position) {
        return ENTRIES + (position % capacity) * entrySize;
    }

    /*
     * The hot paths address the slot memory directly (Mem at base + cpu * stride + a constant
     * offset, always inside the slot): one open check and one CPU check per call, where each
     * Slot access checks its bounds and reads the arena's volatile open flag through two more
     * objects (offer + poll made fourteen of them; a third of the time, docs/benchmarks.md).
     */

    /** @return the address of {@code cpu}'s slot: a possible CPU (else IllegalArgumentException), the ring open */
    private long slotAddress(int cpu) {
        slot(cpu);
        checkOpen();
        return base + (long) cpu * stride;
    }

    /**
     * Claims the next entry of the current CPU's buffer for the caller.
     *
     * @return the claim (&gt;= 0; end it with {@link #commit} or {@link #abort}), or {@link #FULL}
     *         when that CPU's buffer is full (nothing changed)
     */
    public long tryClaim() {
        checkOpen();
        long out = ThreadState.current().out;
        int cpu = PerCpuOps.check(ops.reserve(base, stride, TAIL, capacity, -1, out), "tryClaim");
        if (cpu < 0) {
            return FULL;
        }
        long position = Mem.getLong(out);
        if (position > POSITION_MASK) {
            throw new IllegalStateException("cpu " + cpu + "'s buffer passed 2^48 records");
        }
        Mem.putInt(base + (long) cpu * stride + entry(position) + LENGTH, 0); // the CPU reserve ran on
        return (long) cpu << POSITION_BITS | position;
    }

    /**
     * @param claim a claim answered by {@link #tryClaim()} (not checked: any {@code long} is decoded)
     * @return the CPU a claim was made on (whose buffer holds its entry)
     */
    public static int claimCpu(long claim) {
        return (int) (claim >>> POSITION_BITS);
    }

    /**
     * @param claim a claim answered by {@link #tryClaim()} (not checked: any {@code long} is decoded)
     * @return the position (0, 1, 2... per CPU) of a claim's entry
     */
    public static long claimPosition(long claim) {
        return claim & POSITION_MASK;
    }

    /**
     * @param claim an outstanding claim of this ring: answered by {@link #tryClaim()}, not yet
     *        committed or aborted
     * @return the slot holding the claimed entry (write {@link #claimDataOffset} .. + length, then
     *         {@link #setClaimLength})
     * @throws IllegalStateException when {@code claim} is not an outstanding claim of this ring, or
     *         the ring is closed
     */
    public Slot claimSlot(long claim) {
        requireOutstanding(claim, "claimSlot");
        return slot(claimCpu(claim));
    }

    /**
     * @param claim an outstanding claim of this ring: answered by {@link #tryClaim()}, not yet
     *        committed or aborted
     * @return where the claimed entry's data starts in {@link #claimSlot}: a byte offset in that
     *         slot, with {@link #maxRecord()} bytes of room
     * @throws IllegalStateException when {@code claim} is not an outstanding claim of this ring, or
     *         the ring is closed
     */
    public long claimDataOffset(long claim) {
        requireOutstanding(claim, "claimDataOffset");
        return entry(claimPosition(claim)) + DATA;
    }

    /**
     * Sets the claimed record's length (when its data was written through {@link #claimSlot}).
     *
     * @param claim an outstanding claim of this ring: answered by {@link #tryClaim()}, not yet
     *        committed or aborted
     * @param len the record's length, 0..{@link #maxRecord()}
     * @throws IllegalArgumentException when {@code len} is not in that range
     * @throws IllegalStateException when {@code claim} is not an outstanding claim of this ring, or
     *         the ring is closed
     */
    public void setClaimLength(long claim, int len) {
        long e = requireOutstanding(claim, "setClaimLength");
        checkLength(len);
        Mem.putInt(e + LENGTH, len);
    }

    private void checkLength(int len) {
        if (len < 0 || len > maxRecord) {
            throw new IllegalArgumentException("record length " + len + " is not in 0.." + maxRecord);
        }
    }

    /**
     * Writes {@code src[from..from+len)} as the claimed record (plain stores, from any CPU).
     *
     * @param claim an outstanding claim of this ring: answered by {@link #tryClaim()}, not yet
     *        committed or aborted
     * @param src the record's bytes
     * @param from index in {@code src} of the record's first byte
     * @param len the record's length, 0..{@link #maxRecord()}
     * @throws IndexOutOfBoundsException when {@code [from, from + len)} is not inside {@code src}
     * @throws IllegalArgumentException when {@code len} is more than {@link #maxRecord()}
     * @throws IllegalStateException when {@code claim} is not an outstanding claim of this ring, or
     *         the ring is closed
     */
    public void write(long claim, byte[] src, int from, int len) {
        Objects.checkFromIndexSize(from, len, src.length);
        long e = requireOutstanding(claim, "write");
        checkLength(len);
        Mem.putInt(e + LENGTH, len);
        Mem.copyFromArray(src, from, e + DATA, len);
    }

    /**
     * Commits the claimed entry: an add-release on its commit counter, run on the CPU it was
     * claimed on (wherever the caller runs now). Ends the claim.
     *
     * @param claim an outstanding claim of this ring: answered by {@link #tryClaim()}, not yet
     *        committed or aborted
     * @throws IllegalStateException when {@code claim} is not an outstanding claim of this ring, or
     *         the ring is closed
     * @throws IllegalArgumentException when (kernel and rseq backends) the claiming CPU is not one
     *         the calling thread may run on now (its affinity mask or cpuset), or is offline
     */
    public void commit(long claim) {
        end(claim, requireOutstanding(claim, "commit"), "commit");
    }

    /**
     * Gives the claimed entry up: the consumer skips it. Ends the claim.
     *
     * @param claim an outstanding claim of this ring: answered by {@link #tryClaim()}, not yet
     *        committed or aborted
     * @throws IllegalStateException when {@code claim} is not an outstanding claim of this ring, or
     *         the ring is closed
     * @throws IllegalArgumentException when (kernel and rseq backends) the claiming CPU is not one
     *         the calling thread may run on now (its affinity mask or cpuset), or is offline
     */
    public void abort(long claim) {
        long e = requireOutstanding(claim, "abort");
        Mem.putInt(e + LENGTH, ABORTED);
        end(claim, e, "abort");
    }

    /** Adds 1 to the commit counter of the outstanding claim's entry (at address {@code e}), on its CPU. */
    private void end(long claim, long e, String what) {
        int cpu = claimCpu(claim);
        // the operation takes CPU 0's word: this entry's counter, minus the CPU's slot offset
        PerCpuOps.check(ops.add(e + COMMIT - (long) cpu * stride, stride, 1, cpu), what);
    }

    /**
     * Claims, writes and commits {@code src[from..from+len)} on the current CPU's buffer; if the
     * write throws, the claim is aborted before the exception leaves.
     *
     * @param src the record's bytes
     * @param from index in {@code src} of the record's first byte
     * @param len the record's length, 0..{@link #maxRecord()}
     * @return true when committed; false when that CPU's buffer was full (nothing changed)
     * @throws IndexOutOfBoundsException when {@code [from, from + len)} is not inside {@code src}
     * @throws IllegalArgumentException when {@code len} is more than {@link #maxRecord()}
     * @throws IllegalStateException when the ring is closed
     */
    public boolean offer(byte[] src, int from, int len) {
        Objects.checkFromIndexSize(from, len, src.length);
        if (len > maxRecord) {
            throw new IllegalArgumentException("record length " + len + " is not in 0.." + maxRecord);
        }
        long claim = tryClaim();
        if (claim == FULL) {
            return false;
        }
        try {
            write(claim, src, from, len);
        } catch (RuntimeException | Error e) {
            abort(claim);
            throw e;
        }
        commit(claim);
        return true;
    }

    /**
     * @return the address of the claim's entry
     * @throws IllegalStateException unless {@code claim} is claimed, not ended and not consumed in this ring
     */
    private long requireOutstanding(long claim, String what) {
        int cpu = claimCpu(claim);
        if (claim < 0 || !opv.possibleCpus().contains(cpu)) {
            throw new IllegalStateException(what + ": " + claim + " is not a claim");
        }
        long a = slotAddress(cpu);
        long position = claimPosition(claim);
        long e = a + entry(position);
        if (position >= Mem.getLongVolatile(a + HEAD) || position < Mem.getLongVolatile(a + TAIL)
                || Mem.getLongVolatile(e + COMMIT) != position / capacity) {
            throw new IllegalStateException(what + ": cpu " + cpu + " position " + position
                    + " is not an outstanding claim of this ring (ended already, or another ring's)");
        }
        return e;
    }

    /**
     * The consumer: takes the next record of {@code cpu}'s buffer, if it is committed (skipping
     * aborted ones).
     *
     * @param cpu the CPU whose buffer to consume: a possible CPU (the consumer may run on any CPU)
     * @param dst where the record's bytes go
     * @param from index in {@code dst} of the record's first byte; {@code dst} needs room for the
     *        record's length from there
     * @return its length (its bytes in {@code dst[from..]}), or {@link #EMPTY} when the next
     *         record is not committed yet (or there is none)
     * @throws IndexOutOfBoundsException when the record does not fit {@code dst} from {@code from}
     *         (it is not consumed: the next poll finds it again)
     * @throws IllegalArgumentException when {@code cpu} is not a possible CPU
     * @throws IllegalStateException when the ring is closed, or the entry's length is out of range
     *         (written wrongly through {@link #claimSlot})
     */
    public int poll(int cpu, byte[] dst, int from) {
        long a = slotAddress(cpu);
        for (;;) {
            long t = Mem.getLong(a + TAIL);
            long e = a + entry(t);
            if (Mem.getLongVolatile(e + COMMIT) != t / capacity + 1) {
                return EMPTY;
            }
            int len = Mem.getInt(e + LENGTH);
            if (len != ABORTED) {
                if (len < 0 || len > maxRecord) { // written through claimSlot: never read past the entry
                    throw new IllegalStateException("cpu " + cpu + " position " + t + ": record length " + len
                            + " is not in 0.." + maxRecord);
                }
                Objects.checkFromIndexSize(from, len, dst.length);
                Mem.copyToArray(e + DATA, dst, from, len);
            }
            Mem.putLongRelease(a + TAIL, t + 1);
            if (len != ABORTED) {
                return len;
            }
        }
    }

    /**
     * @param cpu the CPU whose buffer to look at: a possible CPU
     * @return the position the consumer of {@code cpu}'s buffer reads next
     * @throws IllegalArgumentException when {@code cpu} is not a possible CPU
     * @throws IllegalStateException when the ring is closed
     */
    public long consumerPosition(int cpu) {
        return slot(cpu).getLongAcquire(TAIL);
    }

    /**
     * @param cpu the CPU whose buffer to look at: a possible CPU
     * @return how many entries of {@code cpu}'s buffer were claimed so far
     * @throws IllegalArgumentException when {@code cpu} is not a possible CPU
     * @throws IllegalStateException when the ring is closed
     */
    public long claimedCount(int cpu) {
        return slot(cpu).getLongAcquire(HEAD);
    }
}
