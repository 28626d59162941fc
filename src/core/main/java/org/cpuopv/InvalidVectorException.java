/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv;

import org.cpuopv.internal.Errno;

/**
 * EINVAL: the backend refused the vector before running any of it (nothing changed). With the
 * builder's own checks this is rare; the usual cause is a target CPU outside the calling
 * thread's affinity mask, which only the kernel can check.
 */
public final class InvalidVectorException extends CpuOpvException {
    private static final long serialVersionUID = 1L;

    InvalidVectorException(String vector, Backend backend) {
        super(Errno.EINVAL, vector, backend,
                "invalid vector (target CPU not possible or not in this thread's affinity mask,"
                        + " bad op, length or address); nothing ran");
    }
}
