/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv;

import org.cpuopv.internal.Errno;

/**
 * EFAULT: an operand not marked expect-fault could not be accessed (unmapped, not writable,
 * device memory), or the vector itself could not be read. Nothing ran.
 */
public final class OperandFaultException extends CpuOpvException {
    private static final long serialVersionUID = 1L;

    OperandFaultException(String vector, Backend backend) {
        super(Errno.EFAULT, vector, backend, "an operand without expect-fault cannot be accessed; nothing ran");
    }
}
