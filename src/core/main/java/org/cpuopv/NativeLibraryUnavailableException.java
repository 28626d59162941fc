/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv;

/**
 * libcpuopv.so could not be loaded (or is a mismatched build). The message says what was
 * tried and what to do; every individual failure is attached as a suppressed exception.
 * Only the kernel backend needs the library.
 */
public final class NativeLibraryUnavailableException extends BackendUnavailableException {
    private static final long serialVersionUID = 1L;

    NativeLibraryUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
