/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv;

/**
 * The requested backend cannot be used on this machine: the native library does not load
 * ({@link NativeLibraryUnavailableException}) or there is no usable {@code /dev/cpu_opv}
 * ({@link DeviceUnavailableException}).
 */
public class BackendUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BackendUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
