/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.dump;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.management.MBeanException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import org.cpuopv.Backend;
import org.cpuopv.CpuOpv;
import org.cpuopv.OpVector;
import org.cpuopv.Outcome;
import org.cpuopv.PageRegion;
import org.cpuopv.PerCpuArena;
import org.cpuopv.Slot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecorderTest {
    @TempDir
    Path tmp;

    private static List<JsonObject> lines(Path file) throws Exception {
        List<JsonObject> all = new ArrayList<>();
        for (String s : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            all.add(JsonParser.parseString(s).getAsJsonObject());
        }
        return all;
    }

    @Test
    void offUnlessTurnedOn() throws Exception {
        assertNull(Recorder.fromSettings(null, null, null, false));
        for (String off : new String[] {"", " ", "off", "OFF", "false", "0", "no"}) {
            assertNull(Recorder.fromSettings(new String[] {off, "CPU_OPV_DUMP"}, null, null, false), off);
        }
        if (System.getProperty(Recorder.PROPERTY) == null && System.getenv(Recorder.ENV) == null) {
            assertNull(Recorder.global(), "no setting: no recorder");
        }
    }

    @Test
    void settingsChooseRingOrFile() throws Exception {
        try (Recorder r = Recorder.fromSettings(new String[] {"ring", "-Dcpuopv.dump"}, new String[] {"7", "x"}, null, false)) {
            assertNotNull(r);
            assertNull(r.streamPath());
            assertEquals(7, r.ringCapacity());
        }
        try (Recorder r = Recorder.fromSettings(new String[] {tmp.toString(), "CPU_OPV_DUMP"}, null, null, false)) {
            assertEquals(tmp.resolve("cpu-opv-" + ProcessHandle.current().pid() + ".jsonl"), r.streamPath());
        }
        try (Recorder r = Recorder.fromSettings(new String[] {tmp + "/sub/d-%p.jsonl", "CPU_OPV_DUMP"}, null, null, false)) {
            assertEquals(tmp.resolve("sub/d-" + ProcessHandle.current().pid() + ".jsonl"), r.streamPath());
            assertTrue(Files.exists(r.streamPath()), "created with its header at once");
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Recorder.fromSettings(
                new String[] {"ring", "CPU_OPV_DUMP"}, new String[] {"lots", "CPU_OPV_DUMP_RING"}, null, false));
        assertTrue(e.getMessage().startsWith("CPU_OPV_DUMP_RING=lots: "), e.getMessage());
    }

    @Test
    void recordsEveryFieldOfTheSchema() throws Exception {
        Path file = tmp.resolve("d.jsonl");
        Recorder rec = Recorder.builder().streamTo(file).ring(16).closeAtExit(false).build();
        int cpu;
        int arenaId;
        try (CpuOpv opv = CpuOpv.open(Backend.EMULATED, rec);
             PerCpuArena arena = opv.allocateArena(64);
             OpVector v = opv.newVector()) {
            cpu = opv.possibleCpus().max();
            arenaId = arena.id();
            Slot s = arena.slot(cpu);
            assertEquals(Outcome.DONE, opv.execute(v.on(cpu).addLong(s, 0, -1).expectFaultP()));
            assertEquals(Outcome.compareFailedAt(1),
                    opv.execute(v.on(cpu).compareEqLong(s, 0, -1).compareNeLong(s, 8, 0).storeLong(s, 8, 5)));
            // an errno result as a backend reports it to listeners
            rec.executed(Backend.KERNEL, v.on(cpu).memcpy(s, 16, s, 24, 8).expectFaultSrc(), 0, -22, System.nanoTime(), 5);
        }
        rec.close();
        assertEquals(3, rec.recorded());
        assertEquals(0, rec.dropped());
        List<JsonObject> all = lines(file);
        assertEquals(5, all.size(), "header, 3 vectors, end");
        for (JsonObject o : all) {
            assertEquals(DumpSchema.VERSION, o.get("v").getAsInt());
        }
        assertEquals("header", all.get(0).get("type").getAsString());
        JsonObject end = all.get(4);
        assertEquals("end", end.get("type").getAsString());
        assertEquals(3, end.get("recorded").getAsLong());
        assertEquals(3, end.get("streamed").getAsLong());
        assertEquals(0, end.get("dropped").getAsLong());

        JsonObject add = all.get(1);
        assertEquals("vector", add.get("type").getAsString());
        assertEquals(0, add.get("seq").getAsLong());
        assertEquals("EMULATED", add.get("backend").getAsString());
        assertEquals(Thread.currentThread().getName(), add.get("thread").getAsString());
        assertEquals("done", add.get("result").getAsString());
        assertEquals(0, add.get("ret").getAsInt());
        assertTrue(add.get("time").getAsString().endsWith("Z"));
        assertTrue(add.get("duration_ns").getAsLong() >= 0);
        JsonObject op = add.getAsJsonArray("ops").get(0).getAsJsonObject();
        assertEquals("CPU_ADD_OP", op.get("op").getAsString());
        assertEquals(8, op.get("len").getAsInt());
        assertTrue(op.get("p").getAsString().matches("0x[0-9a-f]+"));
        assertEquals("-0x1", op.get("count").getAsString());
        assertEquals(-1L, (long) Long.decode(op.get("count").getAsString()));
        assertTrue(op.get("expect_fault_p").getAsBoolean());
        JsonObject pIn = op.getAsJsonObject("p_in");
        assertEquals("arena#" + arenaId, pIn.get("region").getAsString());
        assertEquals(cpu, pIn.get("cpu").getAsInt());
        assertEquals(0, pIn.get("offset").getAsLong());

        JsonObject cmp = all.get(2);
        assertEquals("compare_failed", cmp.get("result").getAsString());
        assertEquals(1, cmp.get("failed_index").getAsInt());
        assertEquals(3, cmp.get("nr_ops").getAsInt());
        JsonArray ops = cmp.getAsJsonArray("ops");
        assertEquals("CPU_COMPARE_NE_OP", ops.get(1).getAsJsonObject().get("op").getAsString());
        assertTrue(ops.get(1).getAsJsonObject().get("b_immediate").getAsBoolean());
        JsonObject eq = ops.get(0).getAsJsonObject();
        assertEquals("0xffffffffffffffff", eq.get("b_value").getAsString(), "the expected -1, as the CPU reads it");
        assertEquals("ffffffffffffffff", eq.get("b_bytes").getAsString());
        assertFalse(eq.has("b_in"), "an immediate is in no region");
        assertFalse(eq.has("a_seen_value"), "only the failed compare shows what it found");
        JsonObject ne = ops.get(1).getAsJsonObject();
        assertEquals(8, ne.getAsJsonObject("a_in").get("offset").getAsLong());
        assertEquals("0x0", ne.get("b_value").getAsString());
        assertEquals("0x0", ne.get("a_seen_value").getAsString(), "the failed compare found 0 there");
        assertEquals("0x5", ops.get(2).getAsJsonObject().get("src_value").getAsString(), "the store's value");
        assertEquals("CPU_MEMCPY_OP", ops.get(2).getAsJsonObject().get("op").getAsString());

        JsonObject err = all.get(3);
        assertEquals("error", err.get("result").getAsString());
        assertEquals("EINVAL", err.get("errno").getAsString());
        assertEquals(-22, err.get("ret").getAsInt());
        assertEquals("KERNEL", err.get("backend").getAsString());
        JsonObject mc = err.getAsJsonArray("ops").get(0).getAsJsonObject();
        assertTrue(mc.get("expect_fault_src").getAsBoolean());
        assertFalse(mc.get("expect_fault_dst").getAsBoolean());
        assertFalse(mc.get("src_immediate").getAsBoolean());
    }

    @Test
    void ringKeepsTheLastN() throws Exception {
        Recorder rec = Recorder.builder().ring(3).build();
        try (CpuOpv opv = CpuOpv.open(Backend.EMULATED, rec);
             PerCpuArena arena = opv.allocateArena(64);
             OpVector v = opv.newVector()) {
            int cpu = opv.possibleCpus().get(0);
            for (int i = 0; i < 5; i++) {
                opv.execute(v.on(cpu).addInt(arena.slot(cpu), 0, i));
            }
        }
        List<String> ring = rec.ringLines();
        assertEquals(3, ring.size());
        for (int i = 0; i < 3; i++) {
            JsonObject o = JsonParser.parseString(ring.get(i)).getAsJsonObject();
            assertEquals(i + 2, o.get("seq").getAsLong());
            assertEquals("0x" + Integer.toHexString(i + 2),
                    o.getAsJsonArray("ops").get(0).getAsJsonObject().get("count").getAsString());
        }
        Path file = tmp.resolve("ring.jsonl");
        rec.writeRing(file);
        List<JsonObject> all = lines(file);
        assertEquals(5, all.size());
        assertEquals("end", all.get(4).get("type").getAsString());
        rec.close();
    }

    @Test
    void nothingIsLostSilently() throws Exception {
        Path file = tmp.resolve("burst.jsonl");
        Recorder rec = Recorder.builder().streamTo(file).queue(1).ring(0).closeAtExit(false).build();
        try (CpuOpv opv = CpuOpv.open(Backend.EMULATED);
             PerCpuArena arena = opv.allocateArena(64);
             OpVector v = opv.newVector()) {
            int cpu = opv.possibleCpus().get(0);
            v.on(cpu).addLong(arena.slot(cpu), 0, 1);
            for (int i = 0; i < 20_000; i++) {
                rec.executed(Backend.EMULATED, v, cpu, 0, System.nanoTime(), 1);
            }
            rec.flush();
            rec.close();
            rec.executed(Backend.EMULATED, v, cpu, 0, System.nanoTime(), 1); // after close: counted
        }
        List<JsonObject> all = lines(file);
        long vectors = all.stream().filter(o -> o.get("type").getAsString().equals("vector")).count();
        long droppedLines = all.stream().filter(o -> o.get("type").getAsString().equals("dropped"))
                .mapToLong(o -> o.get("count").getAsLong()).sum();
        JsonObject end = all.get(all.size() - 1);
        assertEquals("end", end.get("type").getAsString());
        assertEquals(20_000, end.get("recorded").getAsLong());
        assertEquals(vectors, end.get("streamed").getAsLong());
        assertEquals(20_000, vectors + end.get("dropped").getAsLong(), "every vector is written or counted");
        assertEquals(end.get("dropped").getAsLong(), droppedLines, "the file says where vectors were dropped");
        assertEquals(end.get("dropped").getAsLong() + 1, rec.dropped());
    }

    /** The property path and the exit flush, in a JVM of its own that never closes anything. */
    @Test
    void propertyTurnsItOnAndExitFlushes() throws Exception {
        Path file = tmp.resolve("child-%p.jsonl");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Dcpuopv.dump=" + file));
        String workdir = System.getProperty("cpuopv.native.workdir");
        if (workdir != null) {
            cmd.add("-Dcpuopv.native.workdir=" + workdir);
        }
        cmd.add(DumpChild.class.getName());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("child.log").toFile()).start();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "child finished (a JVM start under TCG takes tens of seconds)");
        assertEquals(0, p.exitValue(), () -> readQuietly(tmp.resolve("child.log")));
        Path written = tmp.resolve("child-" + p.pid() + ".jsonl");
        List<JsonObject> all = lines(written);
        assertEquals("-Dcpuopv.dump", all.get(0).get("source").getAsString());
        assertEquals(DumpChild.VECTORS + 2, all.size(), "header, the vectors, end");
        assertEquals("end", all.get(all.size() - 1).get("type").getAsString());
    }

    private static String readQuietly(Path p) {
        try {
            return Files.readString(p);
        } catch (Exception e) {
            return e.toString();
        }
    }

    /** Opens a handle with no listener, runs vectors, exits without closing: the recorder must flush. */
    public static final class DumpChild {
        static final int VECTORS = 5;

        public static void main(String[] args) {
            CpuOpv opv = CpuOpv.open(Backend.EMULATED);
            PerCpuArena arena = opv.allocateArena(64);
            OpVector v = opv.newVector();
            int cpu = opv.possibleCpus().get(0);
            for (int i = 0; i < VECTORS; i++) {
                opv.execute(v.on(cpu).addLong(arena.slot(cpu), 0, 1));
            }
            if (Recorder.global() == null) {
                System.exit(3);
            }
            System.exit(0);
        }
    }


    @Test
    void showsWhereEachOperandIsAndWhatEachImmediateHolds() throws Exception {
        Recorder rec = Recorder.builder().ring(8).build();
        byte[] big = new byte[300];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) i;
        }
        int cpu;
        int other;
        try (CpuOpv opv = CpuOpv.open(Backend.EMULATED, rec);
             PerCpuArena arena = opv.allocateArena(512);
             PageRegion pages = PageRegion.allocate(opv, 2);
             OpVector v = opv.newVector()) {
            cpu = opv.possibleCpus().get(0);
            other = opv.possibleCpus().max();
            Slot s = arena.slot(cpu);
            s.putLong(64, 0x2000);
            opv.execute(v.on(cpu).storeBytes(s, 1, new byte[] {1, 2, 3}, 0, 3).storeBytes(s, 100, big, 0, 300)
                    .memcpy(arena.slot(other), 8, s, 16, 8).compareEq(pages, PageRegion.PAGE_SIZE + 8, s, 64, 8));
            opv.execute(v.on(cpu).compareEqInt(s, 64, 0x1000));
            opv.execute(v.on(cpu).compareEq(s, 32, s, 64, 8));
        }
        List<String> ring = rec.ringLines();
        rec.close();
        JsonArray ops = JsonParser.parseString(ring.get(0)).getAsJsonObject().getAsJsonArray("ops");
        JsonObject three = ops.get(0).getAsJsonObject();
        assertEquals("010203", three.get("src_bytes").getAsString());
        assertFalse(three.has("src_value"), "3 bytes are no integer");
        assertEquals(1, three.getAsJsonObject("dst_in").get("offset").getAsLong());
        JsonObject cut = ops.get(1).getAsJsonObject();
        assertEquals(2 * DumpSchema.IMMEDIATE_BYTES_MAX, cut.get("src_bytes").getAsString().length());
        assertTrue(cut.get("src_bytes").getAsString().startsWith("000102"));
        assertTrue(cut.get("src_bytes_cut").getAsBoolean());
        JsonObject mc = ops.get(2).getAsJsonObject();
        assertEquals(other, mc.getAsJsonObject("dst_in").get("cpu").getAsInt());
        assertEquals(cpu, mc.getAsJsonObject("src_in").get("cpu").getAsInt());
        assertEquals(16, mc.getAsJsonObject("src_in").get("offset").getAsLong());
        assertFalse(mc.has("src_bytes"), "a copy between regions has no immediate");
        JsonObject pg = ops.get(3).getAsJsonObject().getAsJsonObject("a_in");
        assertEquals("pages", pg.get("region").getAsString());
        assertEquals(1, pg.get("page").getAsLong());
        assertEquals(PageRegion.PAGE_SIZE + 8, pg.get("offset").getAsLong());

        JsonObject failed = JsonParser.parseString(ring.get(1)).getAsJsonObject();
        assertEquals("compare_failed", failed.get("result").getAsString());
        JsonObject c = failed.getAsJsonArray("ops").get(0).getAsJsonObject();
        assertEquals("0x1000", c.get("b_value").getAsString(), "expected");
        assertEquals("0x2000", c.get("a_seen_value").getAsString(), "found");

        JsonObject two = JsonParser.parseString(ring.get(2)).getAsJsonObject().getAsJsonArray("ops").get(0).getAsJsonObject();
        assertEquals("0x0", two.get("a_seen_value").getAsString());
        assertEquals("0x2000", two.get("b_seen_value").getAsString(), "both sides of a failed compare of two operands");
        assertFalse(two.has("b_value"));
    }

    @Test
    void readsVersionOneFiles() throws Exception {
        Path v1 = Path.of(RecorderTest.class.getResource("/v1-dump.jsonl").toURI());
        List<JsonObject> all = DumpReader.read(v1);
        assertEquals(5, all.size());
        for (JsonObject o : all) {
            assertEquals(1, o.get("v").getAsInt());
        }
        JsonObject op = all.get(1).getAsJsonArray("ops").get(0).getAsJsonObject();
        assertTrue(op.get("b_immediate").getAsBoolean());
        assertFalse(op.has("b_value"), "version 1 did not record values");
        assertEquals("EAGAIN", all.get(3).get("errno").getAsString());
        DumpReader.FormatException e = assertThrows(DumpReader.FormatException.class,
                () -> DumpReader.parse("{\"v\":3,\"type\":\"vector\"}", "x:1"));
        assertEquals("x:1: schema version 3 is not 1..2 (written by a newer cpu-opv?)", e.getMessage());
    }

    @Test
    void aCursorFollowsAGrowingFileLineByLine() throws Exception {
        Path f = tmp.resolve("grow.jsonl");
        Files.writeString(f, "{\"v\":2,\"type\":\"header\"}\n\n{\"v\":2,\"type\":\"vec");
        try (DumpReader.Cursor c = DumpReader.open(f)) {
            assertEquals("header", c.next().get("type").getAsString());
            assertNull(c.next(), "the second line is not complete yet");
            Files.writeString(f, "tor\",\"seq\":0}\r\n{\"v\":2,", java.nio.file.StandardOpenOption.APPEND);
            JsonObject v = c.next();
            assertEquals(0, v.get("seq").getAsInt(), "read on once the line is complete");
            assertEquals(3, c.lineNumber(), "blank lines count");
            assertNull(c.next());
            assertNull(c.finish(), "the writer died in the middle of a line");
            assertTrue(c.cutShort());
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 5000; i++) {
            sb.append("{\"v\":2,\"type\":\"vector\",\"seq\":").append(i).append(",\"pad\":\"")
                    .append("x".repeat(i % 97)).append("\"}\n");
        }
        Files.writeString(f, sb.toString() + "{\"v\":2,\"type\":\"end\"}");
        try (DumpReader.Cursor c = DumpReader.open(f)) {
            for (int i = 0; i < 5000; i++) {
                assertEquals(i, c.next().get("seq").getAsInt());
            }
            assertNull(c.next());
            assertEquals("end", c.finish().get("type").getAsString(), "a complete last line without newline");
            assertFalse(c.cutShort());
            assertEquals(Files.size(f), c.bytesRead());
        }
        Files.writeString(f, "{\"v\":2,\"type\":\"header\"}\n{\"v\":2,\"ty");
        DumpReader.FormatException e = assertThrows(DumpReader.FormatException.class, () -> DumpReader.read(f));
        assertTrue(e.getMessage().endsWith(":2: not JSON: the last line is cut short"), e.getMessage());
    }

    @Test
    void theRingCanBePulledOverJmx() throws Exception {
        MBeanServer mbs = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = new ObjectName(DumpRecorderMXBean.OBJECT_NAME + ",name=test-pull");
        Recorder rec = Recorder.builder().ring(4).mbean("test-pull").build();
        assertEquals(name.toString(), rec.mbeanName());
        try (CpuOpv opv = CpuOpv.open(Backend.EMULATED, rec);
             PerCpuArena arena = opv.allocateArena(64);
             OpVector v = opv.newVector()) {
            int cpu = opv.possibleCpus().get(0);
            for (int i = 0; i < 6; i++) {
                opv.execute(v.on(cpu).addLong(arena.slot(cpu), 0, 1));
            }
        }
        assertTrue(mbs.isRegistered(name));
        assertEquals(6L, mbs.getAttribute(name, "Recorded"));
        assertEquals(4, mbs.getAttribute(name, "RingCapacity"));
        assertEquals("", mbs.getAttribute(name, "StreamPath"));
        assertEquals("api", mbs.getAttribute(name, "Source"));
        Path out = tmp.resolve("pulled.jsonl").toAbsolutePath();
        String[] sig = {String.class.getName()};
        assertEquals(4L, mbs.invoke(name, "writeRing", new Object[] {out.toString()}, sig));
        List<JsonObject> all = DumpReader.read(out);
        assertEquals(6, all.size(), "header, the 4 vectors of the ring, end");
        assertEquals("ring", all.get(0).get("source").getAsString());
        assertEquals(2, all.get(1).get("seq").getAsInt());
        MBeanException exists = assertThrows(MBeanException.class,
                () -> mbs.invoke(name, "writeRing", new Object[] {out.toString()}, sig));
        assertTrue(exists.getCause() instanceof java.nio.file.FileAlreadyExistsException, exists::toString);
        MBeanException relative = assertThrows(MBeanException.class,
                () -> mbs.invoke(name, "writeRing", new Object[] {"r.jsonl"}, sig));
        assertTrue(relative.getCause().getMessage().contains("not an absolute path"), relative::toString);
        rec.close();
        assertFalse(mbs.isRegistered(name), "unregistered at close");
        assertNull(Recorder.builder().build().mbeanName(), "not registered unless asked");
        assertThrows(IllegalArgumentException.class, () -> Recorder.builder().mbean("a,b=c"));
    }
}
