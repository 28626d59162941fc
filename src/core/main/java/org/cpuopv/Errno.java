/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv;

/** The errno values this library interprets (Linux, every architecture it runs on). */
final class Errno {
    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int EIO = 5;
    static final int ENXIO = 6;
    static final int EAGAIN = 11;
    static final int ENOMEM = 12;
    static final int EACCES = 13;
    static final int EFAULT = 14;
    static final int ENODEV = 19;
    static final int EINVAL = 22;
    static final int ENOTTY = 25;
    static final int ENOSYS = 38;

    private Errno() {
    }

    /** @return the symbolic name of an errno value, e.g. {@code "EINVAL"}, or {@code "errno 99"} */
    static String name(int errno) {
        switch (errno) {
            case EPERM: return "EPERM";
            case ENOENT: return "ENOENT";
            case EIO: return "EIO";
            case ENXIO: return "ENXIO";
            case EAGAIN: return "EAGAIN";
            case ENOMEM: return "ENOMEM";
            case EACCES: return "EACCES";
            case EFAULT: return "EFAULT";
            case ENODEV: return "ENODEV";
            case EINVAL: return "EINVAL";
            case ENOTTY: return "ENOTTY";
            case ENOSYS: return "ENOSYS";
            default: return "errno " + errno;
        }
    }
}
