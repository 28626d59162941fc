/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv;

import org.cpuopv.internal.Errno;

/**
 * A vector was refused by the backend with an errno. Subclasses name the common cases:
 * {@link InvalidVectorException} (EINVAL) and {@link OperandFaultException} (EFAULT).
 * EAGAIN is not an exception: it is {@link Outcome#EXPECTED_FAULT}, see {@link RetryPolicy}.
 *
 * <p>Carries the errno, the backend and a decoded description of the vector (ops, lengths,
 * addresses, expect-fault marks, target CPU) as it was when it was refused.
 */
public class CpuOpvException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    /** The errno the backend answered (positive). */
    private final int errno;
    /** The refused vector, decoded ({@link OpVector#describe()}). */
    private final String vector;
    /** The backend that refused it. */
    private final Backend backend;

    CpuOpvException(int errno, String vector, Backend backend, String what) {
        super(Errno.name(errno) + " (" + errno + ") from the " + backend.name().toLowerCase(java.util.Locale.ROOT)
                + " backend: " + what + "; vector: " + vector);
        this.errno = errno;
        this.vector = vector;
        this.backend = backend;
    }

    /** @return the errno value (e.g. 22 for EINVAL) */
    public int errno() {
        return errno;
    }

    /** @return the symbolic errno name, e.g. {@code "EFAULT"} */
    public String errnoName() {
        return Errno.name(errno);
    }

    /** @return the refused vector, decoded */
    public String vector() {
        return vector;
    }

    /** @return the backend that refused it */
    public Backend backend() {
        return backend;
    }

    static CpuOpvException of(int errno, String vector, Backend backend) {
        switch (errno) {
            case Errno.EINVAL:
                return new InvalidVectorException(vector, backend);
            case Errno.EFAULT:
                return new OperandFaultException(vector, backend);
            case Errno.ENOSYS:
                return new CpuOpvException(errno, vector, backend,
                        "the cpu_opv device went away (module unloaded?)");
            default:
                return new CpuOpvException(errno, vector, backend, "unexpected error");
        }
    }
}
