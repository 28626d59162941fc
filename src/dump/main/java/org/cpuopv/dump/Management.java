/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.dump;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import javax.management.JMException;
import javax.management.ObjectName;
import javax.management.StandardMBean;

/** Registers recorders in the platform MBean server ({@link DumpRecorderMXBean}). */
final class Management {
    private static final System.Logger LOG = System.getLogger("org.cpuopv.dump");

    private Management() {
    }

    /**
     * @param name "" for the recorder turned on from outside, else the name key
     * @return the name registered, or null when registration failed (logged: a recorder without
     *         its MBean still records)
     */
    static ObjectName register(Recorder r, String name) {
        try {
            ObjectName on = new ObjectName(name.isEmpty() ? DumpRecorderMXBean.OBJECT_NAME
                    : DumpRecorderMXBean.OBJECT_NAME + ",name=" + name);
            ManagementFactory.getPlatformMBeanServer().registerMBean(
                    new StandardMBean(new Bean(r), DumpRecorderMXBean.class, true), on);
            return on;
        } catch (JMException | RuntimeException | LinkageError e) {
            LOG.log(System.Logger.Level.WARNING, "cpu_opv dump: the recorder is on but not reachable over JMX"
                    + " (cannot register " + (name.isEmpty() ? DumpRecorderMXBean.OBJECT_NAME : name) + "): " + e);
            return null;
        }
    }

    static void unregister(ObjectName on) {
        try {
            ManagementFactory.getPlatformMBeanServer().unregisterMBean(on);
        } catch (JMException | RuntimeException e) {
            // already gone
        }
    }

    /** The MXBean: a view of the recorder, nothing of its own. */
    private static final class Bean implements DumpRecorderMXBean {
        private final Recorder r;

        Bean(Recorder r) {
            this.r = r;
        }

        @Override
        public long getRecorded() {
            return r.recorded();
        }

        @Override
        public long getDropped() {
            return r.dropped();
        }

        @Override
        public int getRingCapacity() {
            return r.ringCapacity();
        }

        @Override
        public String getStreamPath() {
            return r.streamPath() == null ? "" : r.streamPath().toString();
        }

        @Override
        public String getSource() {
            return r.source();
        }

        @Override
        public long writeRing(String path) throws IOException {
            Path p = Path.of(path);
            if (!p.isAbsolute()) {
                throw new IOException("writeRing: '" + path + "' is not an absolute path");
            }
            // CREATE_NEW: a management client can create a file as the service's user, never
            // overwrite one
            return r.writeRing(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        }

        @Override
        public void flush() {
            r.flush();
        }
    }
}
