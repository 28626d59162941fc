/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv;

/**
 * What {@link CpuOpv#execute(OpVector, RetryPolicy)} does when the backend answers EAGAIN
 * (an operand marked expect-fault could not be accessed; nothing ran).
 *
 * <p>Running the same vector again only helps when the fault is transient (a page being
 * mapped by another thread); when the vector was built from data that changed (a list node
 * freed after its address was read), the caller must re-read and rebuild, so the default
 * {@link #NEVER} returns {@link Outcome#EXPECTED_FAULT} at once. Policies are stateless and
 * allocation-free.
 */
@FunctionalInterface
public interface RetryPolicy {
    /** Never run again: return {@link Outcome#EXPECTED_FAULT} on the first EAGAIN. */
    RetryPolicy NEVER = attempt -> false;

    /**
     * @param faults how many times this vector got EAGAIN so far (1 on the first)
     * @return true to run the same vector again, false to return {@link Outcome#EXPECTED_FAULT}
     */
    boolean retryAfterExpectedFault(int faults);

    /**
     * @param maxRuns the most times the vector runs in all, &gt;= 1 (1: as {@link #NEVER})
     * @return a policy that runs the vector up to {@code maxRuns} times in all, spinning in between
     * @throws IllegalArgumentException when {@code maxRuns} is less than 1
     */
    static RetryPolicy upTo(int maxRuns) {
        if (maxRuns < 1) {
            throw new IllegalArgumentException("maxRuns " + maxRuns + " must be at least 1");
        }
        return faults -> {
            if (faults >= maxRuns) {
                return false;
            }
            Thread.onSpinWait();
            return true;
        };
    }

    /**
     * @param maxRuns the most times the vector runs in all, &gt;= 1 (1: as {@link #NEVER})
     * @return a policy that runs up to {@code maxRuns} times in all, yielding the CPU in between
     * @throws IllegalArgumentException when {@code maxRuns} is less than 1
     */
    static RetryPolicy upToYielding(int maxRuns) {
        if (maxRuns < 1) {
            throw new IllegalArgumentException("maxRuns " + maxRuns + " must be at least 1");
        }
        return faults -> {
            if (faults >= maxRuns) {
                return false;
            }
            Thread.yield();
            return true;
        };
    }
}
