/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv;

import org.cpuopv.internal.Errno;

/**
 * What a successful {@code execute} reports, as a value: {@link #DONE}, a compare that
 * stopped the vector (its index), or {@link #EXPECTED_FAULT} (EAGAIN after the
 * {@link RetryPolicy} gave up). All instances are preallocated constants, so returning one
 * allocates nothing, and they may be compared with {@code ==}.
 */
public final class Outcome {
    /** Every operation ran (system call result 0). */
    public static final Outcome DONE = new Outcome(0);
    /**
     * An operand marked expect-fault could not be accessed (EAGAIN): nothing ran; re-read the
     * data the vector was built from and build it again.
     */
    public static final Outcome EXPECTED_FAULT = new Outcome(-Errno.EAGAIN);
    private static final Outcome[] BY_RESULT = {
        DONE, new Outcome(1), new Outcome(2), new Outcome(3), new Outcome(4),
    };

    private final int raw;

    private Outcome(int raw) {
        this.raw = raw;
    }

    /**
     * @param result a system call result, 0..4
     * @return the outcome for it
     * @throws IllegalArgumentException when {@code result} is not 0..4
     */
    public static Outcome ofResult(int result) {
        if (result < 0 || result >= BY_RESULT.length) {
            throw new IllegalArgumentException("cpu_opv result " + result + " is not 0..4");
        }
        return BY_RESULT[result];
    }

    /**
     * @param index the index of the op, a compare, that stopped the vector: 0..3
     * @return the outcome whose compare at {@code index} (0..3) stopped the vector
     * @throws IllegalArgumentException when {@code index} is not 0..3
     */
    public static Outcome compareFailedAt(int index) {
        if (index < 0 || index > 3) {
            throw new IllegalArgumentException("compare index " + index + " is not 0..3");
        }
        return BY_RESULT[index + 1];
    }

    /** @return true when every operation ran */
    public boolean isDone() {
        return raw == 0;
    }

    /** @return true when a compare stopped the vector */
    public boolean isCompareFailed() {
        return raw > 0;
    }

    /** @return true for {@link #EXPECTED_FAULT} */
    public boolean isExpectedFault() {
        return raw < 0;
    }

    /**
     * @return the index (0..3) of the compare that stopped the vector: operations before it
     *         ran, none after; -1 when no compare failed
     */
    public int failedIndex() {
        return raw > 0 ? raw - 1 : -1;
    }

    /** @return the system call's result (0..4), or -EAGAIN (-11) for {@link #EXPECTED_FAULT} */
    public int raw() {
        return raw;
    }

    @Override
    public String toString() {
        return raw == 0 ? "DONE" : raw < 0 ? "EXPECTED_FAULT" : "COMPARE_FAILED[" + (raw - 1) + "]";
    }
}
