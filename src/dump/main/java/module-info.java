/*
 * Licensed under the Apache License, Version 2.0.
 */

/**
 * The recorder of executed vectors (JSON Lines, docs/dump-schema.md) and its reader. Present
 * next to {@code org.cpuopv}, it is found as an {@link org.cpuopv.ExecuteListenerProvider}
 * and turned on from outside the program ({@code CPU_OPV_DUMP}, {@code -Dcpuopv.dump}).
 */
module org.cpuopv.dump {
    requires transitive org.cpuopv;
    requires com.google.gson;
    requires java.management; // the recorder's MXBean: pull a running service's ring


    exports org.cpuopv.dump;

    provides org.cpuopv.ExecuteListenerProvider with org.cpuopv.dump.RecorderProvider;
}
