/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv;

/**
 * {@code /dev/cpu_opv} cannot be used: it does not exist or has no driver (the module is not
 * loaded: {@code errno} is ENOSYS, as a kernel without the system call would answer), or it
 * cannot be opened (EACCES, ...). {@link #openErrno()} is what {@code open(2)} really said.
 */
public final class DeviceUnavailableException extends BackendUnavailableException {
    private static final long serialVersionUID = 1L;
    /** The errno the C API answered. */
    private final int errno;
    /** The errno of the failed {@code open("/dev/cpu_opv")}, or 0. */
    private final int openErrno;

    DeviceUnavailableException(String message, int errno, int openErrno) {
        super(message, null);
        this.errno = errno;
        this.openErrno = openErrno;
    }

    /** @return the errno the C API answered (ENOSYS = 38 when the device or driver is missing) */
    public int errno() {
        return errno;
    }

    /** @return the errno of the failed {@code open("/dev/cpu_opv")}, e.g. ENOENT = 2, or 0 */
    public int openErrno() {
        return openErrno;
    }
}
