/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv;

import java.util.ServiceLoader;

/**
 * A listener turned on from outside the program (a system property, an environment variable),
 * found with {@link ServiceLoader} ({@code META-INF/services/org.cpuopv.ExecuteListenerProvider}).
 * {@link CpuOpv#open(Backend, ExecuteListener)} asks the providers only when the caller passed
 * no listener, so an explicit listener always wins. The recorder of {@code org.cpuopv.dump} is
 * one (see docs/dump-schema.md).
 *
 * <p>Asked once per open, never on the execute path: when every provider answers null, the
 * handle has no listener and execute runs exactly as without this seam.
 */
public interface ExecuteListenerProvider {
    /** @return the listener for a handle being opened now, or null when turned off */
    ExecuteListener listener();

    /** @return the first non-null answer of the providers on the class path, or null */
    static ExecuteListener ambient() {
        for (ExecuteListenerProvider p : ListenerProviders.ALL) {
            ExecuteListener l;
            try {
                l = p.listener();
            } catch (LinkageError e) {
                // e.g. the dump recorder turned on without Gson on the class path: say so, go on
                System.getLogger("org.cpuopv").log(System.Logger.Level.WARNING,
                        "cpu_opv: ignoring listener provider " + p.getClass().getName() + ": " + e);
                continue;
            }
            if (l != null) {
                return l;
            }
        }
        return null;
    }
}
