/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv;

import org.cpuopv.internal.Errno;
import org.cpuopv.internal.LibraryLoadFailure;
import org.cpuopv.internal.NativeCalls;
import org.cpuopv.internal.NativeLibrary;

/** Whether the kernel backend can be used now, and if not, an exception that says what to do. */
final class KernelCheck {
    private KernelCheck() {
    }

    /** @return null when the kernel backend is usable, else why not (a fresh exception) */
    static BackendUnavailableException unavailabilityCause() {
        if (!NativeLibrary.isLoaded()) {
            LibraryLoadFailure f = NativeLibrary.failure();
            return new NativeLibraryUnavailableException(f.getMessage(), f);
        }
        int status = NativeCalls.deviceStatus();
        if (status == 0) {
            return null;
        }
        int errno = -status;
        int openErrno = NativeCalls.deviceOpenErrno();
        String what;
        if (errno == Errno.ENOSYS) {
            what = openErrno == Errno.ENOENT
                    ? "/dev/cpu_opv does not exist: the cpu_opv module is not loaded"
                    + " (load it: `insmod kmod/cpu_opv.ko` or `modprobe cpu_opv`)"
                    : "/dev/cpu_opv exists but has no driver behind it (" + Errno.name(openErrno)
                    + "): the cpu_opv module is not loaded (load it: `insmod kmod/cpu_opv.ko`)";
        } else if (errno == Errno.EACCES || errno == Errno.EPERM) {
            what = "/dev/cpu_opv cannot be opened (" + Errno.name(errno)
                    + "): the module creates it with mode 0666; check the udev rule or the node's mode";
        } else {
            what = "/dev/cpu_opv cannot be opened: " + Errno.name(errno) + " (" + NativeCalls.strerror(errno) + ")";
        }
        return new DeviceUnavailableException(what + ". The emulated backend needs no module: "
                + "CpuOpv.open(Backend.EMULATED) or Backend.AUTO.", errno, openErrno);
    }

    /** @throws BackendUnavailableException when the kernel backend cannot be used */
    static void require() {
        BackendUnavailableException cause = unavailabilityCause();
        if (cause != null) {
            throw cause;
        }
    }
}
