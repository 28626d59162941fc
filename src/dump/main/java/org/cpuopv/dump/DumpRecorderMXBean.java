/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.dump;

import java.io.IOException;

/**
 * The management interface of a {@link Recorder}, registered in the platform MBean server
 * while the recorder is open: as {@value #OBJECT_NAME} for the recorder turned on from outside
 * ({@code CPU_OPV_DUMP}, {@code -Dcpuopv.dump}), as {@code org.cpuopv:type=DumpRecorder,name=NAME}
 * for one built with {@link Recorder.Builder#mbean(String)}. It lets a running service's ring
 * be pulled without a restart: {@code cpu-opv dump --pull PID}, jconsole, or any JMX client
 * (docs/dump-schema.md).
 */
public interface DumpRecorderMXBean {
    /** The object name of the recorder turned on from outside. */
    String OBJECT_NAME = "org.cpuopv:type=DumpRecorder";

    /** @return vectors recorded so far */
    long getRecorded();

    /** @return vectors that could not be streamed */
    long getDropped();

    /** @return the ring capacity (0: no ring) */
    int getRingCapacity();

    /** @return the file streamed to, or the empty string */
    String getStreamPath();

    /** @return how the recorder was turned on: {@code api}, {@code -Dcpuopv.dump}, {@code CPU_OPV_DUMP} */
    String getSource();

    /**
     * Writes the ring (a header, the last vectors, an end line) to a new file.
     *
     * @param path an absolute path in the service's file system; the file must not exist (as
     *             with the JDK's heap dumps, a management client cannot overwrite a file)
     * @return the number of vector lines written
     * @throws IOException when the path is relative, the file exists or cannot be written
     */
    long writeRing(String path) throws IOException;

    /** Waits until every vector recorded so far is written to the stream file (no-op without one). */
    void flush();
}
