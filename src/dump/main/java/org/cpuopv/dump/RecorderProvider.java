/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.dump;

import org.cpuopv.ExecuteListener;
import org.cpuopv.ExecuteListenerProvider;

/**
 * Hands {@link Recorder#global()} to every {@code CpuOpv.open} without a listener, when
 * {@value Recorder#PROPERTY} / {@value Recorder#ENV} turn it on (registered in
 * {@code META-INF/services/org.cpuopv.ExecuteListenerProvider}).
 */
public final class RecorderProvider implements ExecuteListenerProvider {
    /** Called by {@link java.util.ServiceLoader}. */
    public RecorderProvider() {
    }

    @Override
    public ExecuteListener listener() {
        // The names are compile-time constants: reading them loads neither Recorder nor Gson,
        // so a program that never turns the dump on needs no Gson on its class path.
        if (System.getProperty(Recorder.PROPERTY) == null && System.getenv(Recorder.ENV) == null) {
            return null;
        }
        return Recorder.global();
    }
}
