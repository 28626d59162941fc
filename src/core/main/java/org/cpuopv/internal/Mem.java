/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.internal;

import java.lang.reflect.Field;

/**
 * Raw access to native memory by absolute address ({@code sun.misc.Unsafe}, module
 * {@code jdk.unsupported}, no flags needed on Java 17). Every caller checks bounds first.
 */
public final class Mem {
    public static final sun.misc.Unsafe U = unsafe();

    private Mem() {
    }

    private static sun.misc.Unsafe unsafe() {
        try {
            Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            return (sun.misc.Unsafe) f.get(null);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
