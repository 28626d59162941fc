/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.internal;

/**
 * Whether this module was granted native access when the JVM started
 * ({@code --enable-native-access}), read once, before the library makes its first restricted
 * call: in the JVM's default "warn" mode that call (even loading the JNI library, on JDK 24+)
 * prints a warning and then grants the module native access, so asking later would depend on
 * what ran first. {@link NativeLibrary} reads it before it loads anything; {@link Downcalls}
 * and {@link Mem} decide by it.
 */
final class NativeAccess {
    private static final boolean GRANTED = NativeAccess.class.getModule().isNativeAccessEnabled();

    private NativeAccess() {
    }

    /** @return true when the module had native access before it used any restricted method */
    static boolean granted() {
        return GRANTED;
    }
}
