/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv;

import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/** The {@link ExecuteListenerProvider}s, loaded once on the first open; a broken one is skipped. */
final class ListenerProviders {
    static final List<ExecuteListenerProvider> ALL = load();

    private ListenerProviders() {
    }

    private static List<ExecuteListenerProvider> load() {
        try {
            return ServiceLoader.load(ExecuteListenerProvider.class, CpuOpv.class.getClassLoader()).stream()
                    .map(ServiceLoader.Provider::get).collect(Collectors.toUnmodifiableList());
        } catch (ServiceConfigurationError e) {
            System.getLogger("org.cpuopv").log(System.Logger.Level.WARNING,
                    "cpu_opv: ignoring the ExecuteListenerProviders: " + e.getMessage());
            return List.of();
        }
    }
}
