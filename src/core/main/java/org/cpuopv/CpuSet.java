/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv;

import java.util.Arrays;
import java.util.BitSet;

/**
 * An immutable set of CPU numbers, printed and parsed in the kernel's list format
 * ({@code 0-3,8,10-11}, as in {@code /sys/devices/system/cpu/possible}).
 */
public final class CpuSet {
    private final int[] cpus; // ascending, no duplicates

    private CpuSet(int[] cpus) {
        this.cpus = cpus;
    }

    /**
     * @param cpus CPU numbers, each &gt;= 0, in any order (a duplicate counts once; none: the empty set)
     * @return the set of the given CPU numbers (each &gt;= 0)
     * @throws IllegalArgumentException when a number is negative
     */
    public static CpuSet of(int... cpus) {
        BitSet bits = new BitSet();
        for (int cpu : cpus) {
            if (cpu < 0) {
                throw new IllegalArgumentException("cpu " + cpu + " is negative");
            }
            bits.set(cpu);
        }
        return new CpuSet(bits.stream().toArray());
    }

    /**
     * @param count how many CPUs, &gt;= 0 (0: the empty set)
     * @return CPUs 0..count-1
     * @throws NegativeArraySizeException when {@code count} is negative
     */
    public static CpuSet range(int count) {
        int[] a = new int[count];
        Arrays.setAll(a, i -> i);
        return new CpuSet(a);
    }

    /**
     * @param list the kernel's list format, e.g. {@code "0-3,5"}; blank means empty
     * @return the set
     * @throws IllegalArgumentException naming the bad element
     */
    public static CpuSet parse(String list) {
        BitSet bits = new BitSet();
        String s = list.trim();
        if (!s.isEmpty()) {
            for (String part : s.split(",")) {
                String p = part.trim();
                try {
                    int dash = p.indexOf('-');
                    int lo = Integer.parseInt(dash < 0 ? p : p.substring(0, dash));
                    int hi = dash < 0 ? lo : Integer.parseInt(p.substring(dash + 1));
                    if (lo < 0 || hi < lo) {
                        throw new IllegalArgumentException("bad CPU range '" + p + "' in CPU list '" + list + "'");
                    }
                    bits.set(lo, hi + 1);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("bad CPU range '" + p + "' in CPU list '" + list + "'", e);
                }
            }
        }
        return new CpuSet(bits.stream().toArray());
    }

    /**
     * @param cpu a CPU number (a negative one is never in a set)
     * @return whether {@code cpu} is in the set
     */
    public boolean contains(int cpu) {
        return cpu >= 0 && Arrays.binarySearch(cpus, cpu) >= 0;
    }

    /** @return the number of CPUs in the set */
    public int size() {
        return cpus.length;
    }

    /** @return the largest CPU number, or -1 when empty */
    public int max() {
        return cpus.length == 0 ? -1 : cpus[cpus.length - 1];
    }

    /** @return the CPU numbers in ascending order (a copy) */
    public int[] toArray() {
        return cpus.clone();
    }

    /**
     * @param i the index in ascending order, 0..{@link #size()}-1
     * @return the i-th smallest CPU number
     * @throws ArrayIndexOutOfBoundsException when {@code i} is not 0..{@link #size()}-1
     */
    public int get(int i) {
        return cpus[i];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CpuSet && Arrays.equals(cpus, ((CpuSet) o).cpus);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(cpus);
    }

    /** @return the kernel's list format, e.g. {@code 0-3,5} */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cpus.length; ) {
            int j = i;
            while (j + 1 < cpus.length && cpus[j + 1] == cpus[j] + 1) {
                j++;
            }
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(cpus[i]);
            if (j > i) {
                sb.append('-').append(cpus[j]);
            }
            i = j + 1;
        }
        return sb.toString();
    }
}
