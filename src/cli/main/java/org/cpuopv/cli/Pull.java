/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import javax.management.MBeanException;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;

import org.cpuopv.dump.DumpRecorderMXBean;

/**
 * {@code cpu-opv dump --pull PID}: attaches to a running JVM (the JDK attach API, same user),
 * starts its local JMX agent (what jconsole does), and invokes {@code writeRing} on its
 * recorder's MXBean.
 */
final class Pull {
    private Pull() {
    }

    /**
     * @param out where the JVM should write (null: a new file in the temporary directory)
     * @return the file written, absolute
     */
    static Path ring(long pid, Path out, String recorderName, PrintWriter err) {
        Path target;
        try {
            target = out != null ? out.toAbsolutePath()
                    : Files.createTempFile("cpu-opv-ring-" + pid + "-", ".jsonl").toAbsolutePath();
            // the JVM creates the file itself (never overwriting one): make room for it
            Files.deleteIfExists(target);
        } catch (IOException e) {
            throw new Main.Failure("cannot prepare " + (out == null ? "a temporary file" : out) + ": " + e.getMessage(), e);
        }
        if (pid == ProcessHandle.current().pid()) {
            throw new Main.Failure("--pull " + pid + ": that is this process");
        }
        VirtualMachine vm;
        try {
            vm = VirtualMachine.attach(Long.toString(pid));
        } catch (AttachNotSupportedException | IOException e) {
            throw new Main.Failure("--pull " + pid + ": cannot attach to that JVM (is it a JVM of this user, started"
                    + " without -XX:+DisableAttachMechanism?): " + e.getMessage(), e);
        }
        try {
            String url = vm.startLocalManagementAgent();
            try (JMXConnector c = JMXConnectorFactory.connect(new JMXServiceURL(url))) {
                MBeanServerConnection mbs = c.getMBeanServerConnection();
                ObjectName name = pick(mbs, pid, recorderName);
                Object n = mbs.invoke(name, "writeRing", new Object[] {target.toString()},
                        new String[] {String.class.getName()});
                err.println("cpu-opv dump: pid " + pid + " wrote " + n + " vectors of its ring (" + name + ") to " + target);
                err.flush();
            }
        } catch (MBeanException e) {
            Throwable t = e.getCause() == null ? e : e.getCause();
            throw new Main.Failure("--pull " + pid + ": writeRing(" + target + ") failed in that JVM: " + t, e);
        } catch (IOException | javax.management.JMException e) {
            throw new Main.Failure("--pull " + pid + ": JMX: " + e, e);
        } finally {
            try {
                vm.detach();
            } catch (IOException e) {
                // gone already
            }
        }
        if (!Files.isReadable(target)) {
            throw new Main.Failure("--pull " + pid + ": the JVM wrote " + target + " but it is not readable here"
                    + " (a private /tmp, another mount namespace?): give a path both can see");
        }
        return target;
    }

    private static ObjectName pick(MBeanServerConnection mbs, long pid, String recorderName)
            throws IOException, javax.management.JMException {
        if (recorderName != null) {
            ObjectName n = new ObjectName(DumpRecorderMXBean.OBJECT_NAME + ",name=" + recorderName);
            if (!mbs.isRegistered(n)) {
                throw new Main.Failure("--pull " + pid + ": no " + n + " in that JVM (recorders: " + names(mbs) + ")");
            }
            return n;
        }
        ObjectName global = new ObjectName(DumpRecorderMXBean.OBJECT_NAME);
        if (mbs.isRegistered(global)) {
            return global;
        }
        List<ObjectName> all = names(mbs);
        if (all.size() == 1) {
            return all.get(0);
        }
        if (all.isEmpty()) {
            throw new Main.Failure("--pull " + pid + ": that JVM has no cpu-opv recorder (start it with CPU_OPV_DUMP=ring"
                    + " or -Dcpuopv.dump=ring, or build one with Recorder.builder().mbean(NAME))");
        }
        throw new Main.Failure("--pull " + pid + ": that JVM has several recorders, pick one with --recorder NAME: " + all);
    }

    private static List<ObjectName> names(MBeanServerConnection mbs) throws IOException, javax.management.JMException {
        Set<ObjectName> s = mbs.queryNames(new ObjectName(DumpRecorderMXBean.OBJECT_NAME + ",*"), null);
        List<ObjectName> l = new ArrayList<>(s);
        l.sort(null);
        return l;
    }
}
