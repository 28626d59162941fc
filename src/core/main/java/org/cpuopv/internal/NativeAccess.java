/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.internal;

/**
 * Whether this module was granted native access when the JVM started. The Java 17 class: no
 * FFM layer to grant it to, so false; the multi-release jar's Java 22 class asks the module.
 */
final class NativeAccess {
    private NativeAccess() {
    }

    /** @return false: nothing on Java 17 depends on it */
    static boolean granted() {
        return false;
    }
}
