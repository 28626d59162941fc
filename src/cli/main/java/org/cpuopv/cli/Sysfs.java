/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The module's files under /sys (a different root in tests). */
final class Sysfs {
    /** The counters the module exports, in the order {@code info} shows them. */
    static final String[] COUNTERS = {"local", "ipi", "offline", "compare_failed", "einval", "efault", "eagain", "faultins"};

    private final Path root;

    Sysfs(Path root) {
        this.root = root;
    }

    static Sysfs system() {
        return new Sysfs(Path.of("/sys"));
    }

    Path moduleDir() {
        return root.resolve("module/cpu_opv");
    }

    Path statsDir() {
        return root.resolve("class/misc/cpu_opv/stats");
    }

    boolean moduleLoaded() {
        return Files.isDirectory(moduleDir());
    }

    /** @return the module's version, or null when it is not loaded */
    String moduleVersion() {
        return read(moduleDir().resolve("version"));
    }

    /** @return counter name to value, in {@link #COUNTERS} order, only those present; empty without the module */
    Map<String, Long> counters() {
        Map<String, Long> m = new LinkedHashMap<>();
        for (String c : COUNTERS) {
            String s = read(statsDir().resolve(c));
            if (s != null) {
                try {
                    m.put(c, Long.parseUnsignedLong(s));
                } catch (NumberFormatException e) {
                    throw new Main.Failure(statsDir().resolve(c) + " holds '" + s + "', not a number");
                }
            }
        }
        return m;
    }

    String cpuList(String name) {
        return read(root.resolve("devices/system/cpu/" + name));
    }

    private static String read(Path p) {
        try {
            return Files.readString(p).trim();
        } catch (IOException e) {
            return null;
        }
    }
}
