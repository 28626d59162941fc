/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.internal;

/**
 * Why libcpuopv could not be loaded: one message listing every attempt, each attempt's cause
 * suppressed. The API turns it into a {@link org.cpuopv.NativeLibraryUnavailableException}.
 */
public final class LibraryLoadFailure extends Exception {
    private static final long serialVersionUID = 1L;

    LibraryLoadFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
