/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.internal;

import java.lang.reflect.Field;

/** Finds {@code sun.misc.Unsafe} (module {@code jdk.unsupported}) for both versions of {@link Mem}. */
final class TheUnsafe {
    private TheUnsafe() {
    }

    /** @return the JVM's {@code sun.misc.Unsafe} */
    static sun.misc.Unsafe get() {
        try {
            Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            return (sun.misc.Unsafe) f.get(null);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
