/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import org.cpuopv.Backend;
import org.cpuopv.CpuOpv;
import org.cpuopv.OpVector;
import org.cpuopv.Outcome;
import org.cpuopv.PerCpuArena;
import org.cpuopv.dump.Recorder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import picocli.CommandLine;

class CliTest {
    @TempDir
    Path tmp;

    /** Exit code, stdout and stderr of one command line. */
    static final class Run {
        final int code;
        final String out;
        final String err;

        Run(int code, String out, String err) {
            this.code = code;
            this.out = out;
            this.err = err;
        }

        @Override
        public String toString() {
            return "exit " + code + "\n--- out\n" + out + "--- err\n" + err;
        }
    }

    static Run cli(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private static Path example() {
        Path p = Path.of(System.getProperty("cpuopv.repo.dir", "."), "docs/examples/exec-push.json");
        assertTrue(Files.isRegularFile(p), "run from the repository root");
        return p;
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "info", "exec", "dump", "bench"})
    void helpEverywhere(String sub) {
        Run r = sub.isEmpty() ? cli("--help") : cli(sub, "--help");
        assertEquals(0, r.code, r::toString);
        assertTrue(r.out.startsWith("Usage: cpu-opv" + (sub.isEmpty() ? "" : " " + sub)), r::toString);
        assertTrue(r.out.contains("Exit codes:"), r::toString);
    }

    /** The help of every --backend names every backend (RSEQ was missing). */
    @ParameterizedTest
    @ValueSource(strings = {"exec", "bench"})
    void backendHelpListsEveryBackend(String sub) {
        String help = cli(sub, "--help").out;
        for (Backend b : Backend.values()) {
            assertTrue(help.matches("(?s).*--backend=[A-Z|]*\\b" + b + "\\b.*"),
                    b + " missing: " + help);
        }
    }

    @Test
    void version() {
        Run r = cli("--version");
        assertEquals(0, r.code, r::toString);
        assertTrue(r.out.startsWith("cpu-opv "), r::toString);
        assertTrue(r.out.contains("cpu_opv module: "), r::toString);
    }

    @Test
    void usageErrorsExitTwoWithOneLine() {
        for (String[] args : new String[][] {
            {}, {"frobnicate"}, {"info", "--bogus"}, {"exec"}, {"dump"}, {"dump", "--result", "maybe", "x.jsonl"},
            {"dump", "--op", "xor", "x.jsonl"}, {"dump", "--format", "xml", "x.jsonl"}, {"bench", "--millis", "0"},
            {"exec", "--backend", "GPU", "f.json"}, {"exec", "--cpu", "one", "f.json"},
            {"dump", "--last", "-1", "x.jsonl"}, {"dump", "--count", "--follow", "x.jsonl"},
            {"dump", "--recorder", "r", "x.jsonl"}, {"dump", "--pull", "self"},
        }) {
            Run r = cli(args);
            assertEquals(2, r.code, () -> String.join(" ", args) + ": " + r);
            assertEquals(1, r.err.lines().count(), () -> String.join(" ", args) + ": " + r);
            assertTrue(r.err.startsWith("cpu-opv"), r::toString);
        }
    }

    @Test
    void infoWithoutTheModule() {
        assumeFalse(CpuOpv.isKernelAvailable(), "the module is loaded here");
        Run r = cli("info", "--sysfs", tmp.toString());
        assertEquals(0, r.code, r::toString);
        assertTrue(r.out.contains("cpu_opv not loaded"), r::toString);
        assertTrue(r.out.contains("/dev/cpu_opv"), r::toString);
        assertTrue(r.out.contains("ops supported  6 (emulated backend: no module)"), r::toString);
        assertTrue(r.out.contains("max vector     4 ops"), r::toString);
        assertTrue(r.out.contains("counters       none"), r::toString);
        Run check = cli("info", "--check", "--sysfs", tmp.toString());
        assertEquals(1, check.code, check::toString);
        Run json = cli("info", "--json", "--sysfs", tmp.toString());
        JsonObject o = JsonParser.parseString(json.out).getAsJsonObject();
        assertEquals(false, o.getAsJsonObject("module").get("loaded").getAsBoolean());
        assertEquals(false, o.getAsJsonObject("device").get("usable").getAsBoolean());
        assertTrue(o.get("counters").isJsonNull());
    }

    @Test
    void infoShowsTheModulesCounters() throws Exception {
        Path mod = Files.createDirectories(tmp.resolve("module/cpu_opv"));
        Files.writeString(mod.resolve("version"), "0.1.0\n");
        Path stats = Files.createDirectories(tmp.resolve("class/misc/cpu_opv/stats"));
        long n = 1;
        for (String c : Sysfs.COUNTERS) {
            Files.writeString(stats.resolve(c), (n++ * 10) + "\n");
        }
        Path cpu = Files.createDirectories(tmp.resolve("devices/system/cpu"));
        Files.writeString(cpu.resolve("possible"), "0-7\n");
        Files.writeString(cpu.resolve("online"), "0-3,5\n");
        Run r = cli("info", "--sysfs", tmp.toString());
        assertEquals(0, r.code, r::toString);
        assertTrue(r.out.contains("cpu_opv loaded, version 0.1.0"), r::toString);
        assertTrue(r.out.contains("possible CPUs  0-7"), r::toString);
        assertTrue(r.out.contains("online CPUs    0-3,5"), r::toString);
        assertTrue(r.out.matches("(?s).*\\n  local +10\\n  ipi +20\\n  offline +30\\n  compare_failed +40\\n"
                + "  einval +50\\n  efault +60\\n  eagain +70\\n  faultins +80\\n.*"), r::toString);
        JsonObject o = JsonParser.parseString(cli("info", "--json", "--sysfs", tmp.toString()).out).getAsJsonObject();
        assertEquals(80, o.getAsJsonObject("counters").get("faultins").getAsLong());
        assertEquals("0.1.0", o.getAsJsonObject("module").get("version").getAsString());
    }

    @Test
    void execRunsTheExampleAndPrintsTheBuffers() {
        Run r = cli("exec", "--backend", "EMULATED", example().toString());
        assertEquals(0, r.code, r::toString);
        assertTrue(r.out.startsWith("backend  EMULATED, cpu "), r::toString);
        assertTrue(r.out.contains("result   done (every op ran)"), r::toString);
        assertTrue(r.out.contains("u64: [\"0x2000\"]"), r::toString); // head moved
        assertTrue(r.out.contains("u64: [\"0x8\"]"), r::toString);    // pushes counted

        Run j = cli("exec", "--backend", "EMULATED", "--json", example().toString());
        assertEquals(0, j.code, j::toString);
        assertEquals(1, j.out.lines().count(), () -> "one compact object: " + j);
        JsonObject o = JsonParser.parseString(j.out).getAsJsonObject();
        assertEquals("done", o.get("result").getAsString());
        assertEquals("0020000000000000", o.getAsJsonObject("buffers").getAsJsonObject("head").get("hex").getAsString());
        assertEquals("6370752d6f70760063707500000000",
                o.getAsJsonObject("buffers").getAsJsonObject("name").get("hex").getAsString().substring(0, 30));
    }

    @Test
    void execReportsAFailedCompareAndEveryOpKind() throws Exception {
        Path f = tmp.resolve("v.json");
        Files.writeString(f, "{\"cpu\": 0, \"buffers\": {\"w\": {\"u32\": [1, 2]}, \"b\": {\"hex\": \"00 11 22 33\"},"
                + " \"c\": {\"u8\": [255], \"size\": 8}},"
                + " \"ops\": [{\"op\": \"CPU_ADD_RELEASE_OP\", \"p\": \"w+4\", \"count\": \"-0x2\", \"len\": 4},"
                + " {\"op\": \"memcpy_release\", \"dst\": \"c+4\", \"bytes\": \"aabb\"},"
                + " {\"op\": \"compare_ne\", \"a\": \"b\", \"b\": \"b\", \"len\": 4},"
                + " {\"op\": \"add\", \"p\": \"c\", \"count\": 1, \"len\": 1}]}");
        Run r = cli("exec", "--backend", "EMULATED", "--json", f.toString());
        assertEquals(3, r.code, () -> "a compare stopped it: " + r);
        assertEquals("", r.err, r::toString);
        JsonObject o = JsonParser.parseString(r.out).getAsJsonObject();
        assertEquals("compare_failed", o.get("result").getAsString());
        assertEquals(2, o.get("failed_index").getAsInt());
        assertEquals(0, o.get("cpu").getAsInt());
        JsonObject bufs = o.getAsJsonObject("buffers");
        assertEquals("0100000000000000", bufs.getAsJsonObject("w").get("hex").getAsString()); // 2 + -2
        assertEquals("ff000000aabb0000", bufs.getAsJsonObject("c").get("hex").getAsString()); // add not run
    }

    @Test
    void execErrorsAreOneLineNamingTheField() throws Exception {
        String[][] cases = {
            {"{", "not valid JSON"},
            {"[]", "one JSON object"},
            {"{\"buffers\": {\"x\": {\"size\": 8}}, \"ops\": [{\"op\": \"add\", \"p\": \"y\", \"count\": 1}]}",
                "ops[0].p: no buffer 'y' (buffers: x)"},
            {"{\"buffers\": {\"x\": {\"size\": 8}}, \"ops\": [{\"op\": \"memcpy\", \"dst\": \"x+4\", \"src\": \"x\", \"len\": 8}]}",
                "ops[0].dst: 8 bytes at offset 4 run past the end of buffer 'x' (8 bytes)"},
            {"{\"buffers\": {\"x\": {\"size\": 8}}, \"ops\": [{\"op\": \"xor\", \"p\": \"x\"}]}", "ops[0].op: 'xor' is not an op"},
            {"{\"buffers\": {\"x\": {\"u8\": [256]}}, \"ops\": []}", "buffers.x.u8[0]: 256 does not fit in 8 bits"},
            {"{\"buffers\": {}, \"ops\": [], \"colour\": 1}", "unknown field \"colour\""},
            {"{\"buffers\": {\"x\": {\"size\": 16}}, \"ops\": [{\"op\": \"add\", \"p\": \"x+2\", \"count\": 1}]}", "ops[0]: "},
        };
        for (String[] c : cases) {
            Path f = tmp.resolve("bad.json");
            Files.writeString(f, c[0]);
            Run r = cli("exec", "--backend", "EMULATED", f.toString());
            assertEquals(1, r.code, () -> c[0] + ": " + r);
            assertEquals(1, r.err.lines().count(), () -> c[0] + ": " + r);
            assertTrue(r.err.startsWith("cpu-opv exec: " + f + ": "), r::toString);
            assertTrue(r.err.contains(c[1]), () -> c[1] + " in " + r);
        }
        Run missing = cli("exec", tmp.resolve("nope.json").toString());
        assertEquals(1, missing.code);
        assertEquals("cpu-opv exec: cannot read " + tmp.resolve("nope.json") + ": no such file\n", missing.err);
    }

    @Test
    void execRecordsWithDump() throws Exception {
        Path d = tmp.resolve("exec.jsonl");
        Run r = cli("exec", "--backend", "EMULATED", "--dump", d.toString(), example().toString());
        assertEquals(0, r.code, r::toString);
        Run back = cli("dump", "--op", "add", d.toString());
        assertEquals(0, back.code, back::toString);
        assertTrue(back.out.contains("# 1 of 1 vectors shown; 0 dropped; closed cleanly"), back::toString);
        assertTrue(back.out.contains("[2] CPU_ADD_OP len 8 p=0x"), back::toString);
    }

    /** Record with the recorder, read back with the CLI, filter. */
    @Test
    void dumpRoundTrip() throws Exception {
        Path file = tmp.resolve("rt.jsonl");
        int first;
        int last;
        int arenaId;
        try (Recorder rec = Recorder.builder().streamTo(file).closeAtExit(false).build();
             CpuOpv opv = CpuOpv.open(Backend.EMULATED, rec);
             PerCpuArena a = opv.allocateArena(64);
             OpVector v = opv.newVector()) {
            first = opv.possibleCpus().get(0);
            last = opv.possibleCpus().max();
            arenaId = a.id();
            opv.execute(v.on(first).addLong(a.slot(first), 0, 1));
            opv.execute(v.on(last).addLong(a.slot(last), 0, 1));
            opv.execute(v.on(first).compareEqLong(a.slot(first), 0, 99).storeLong(a.slot(first), 0, 0));
            opv.execute(v.on(first).memcpy(a.slot(first), 8, a.slot(first), 16, 8));
        }
        Run all = cli("dump", file.toString());
        assertEquals(0, all.code, all::toString);
        assertTrue(all.out.startsWith("# dump of pid " + ProcessHandle.current().pid()), all::toString);
        assertTrue(all.out.contains("# 4 of 4 vectors shown; 0 dropped; closed cleanly (recorded 4, dropped 0)"), all::toString);
        assertTrue(all.out.contains(": compare failed at op 0"), all::toString);
        assertTrue(all.out.contains("CPU_COMPARE_EQ_OP len 8 a=0x"), all::toString);
        String arena = "arena#" + arenaId;
        assertTrue(all.out.contains(" (" + arena + " cpu " + first + " +0x0, seen 0x" + (first == last ? 2 : 1) + ") b=immediate 0x63"), all::toString);
        assertTrue(all.out.contains("[1] CPU_MEMCPY_OP len 8 dst=0x"), all::toString);
        assertTrue(all.out.contains(" (" + arena + " cpu " + first + " +0x0) src=immediate 0x0"), all::toString);
        assertTrue(all.out.matches("(?s).*CPU_MEMCPY_OP len 8 dst=0x[0-9a-f]+ \\(" + arena + " cpu " + first
                + " \\+0x8\\) src=0x[0-9a-f]+ \\(" + arena + " cpu " + first + " \\+0x10\\)\n.*"), all::toString);

        assertTrue(cli("dump", "--result", "compare_failed", file.toString()).out.contains("# 1 of 4 vectors shown"));
        assertTrue(cli("dump", "--result", "done", "--op", "CPU_ADD_OP", file.toString()).out.contains("# 2 of 4 vectors"));
        assertTrue(cli("dump", "--op", "memcpy", file.toString()).out.contains("# 2 of 4 vectors shown"));
        Run none = cli("dump", "--result", "EINVAL", file.toString());
        assertTrue(none.out.contains("# 0 of 4 vectors shown"), none::toString);
        assertEquals(3, none.code, () -> "a filter that matched nothing: " + none);
        assertTrue(cli("dump", "--thread", Thread.currentThread().getName(), file.toString()).out.contains("# 4 of 4"));
        String onLast = cli("dump", "--cpu", Integer.toString(last), file.toString()).out;
        assertTrue(onLast.contains(first == last ? "# 4 of 4" : "# 1 of 4"), onLast);

        Run jsonl = cli("dump", "--format", "jsonl", "--op", "add", file.toString());
        assertEquals(0, jsonl.code, jsonl::toString);
        assertEquals(2, jsonl.out.lines().count(), jsonl::toString);
        jsonl.out.lines().forEach(l -> assertEquals("vector", JsonParser.parseString(l).getAsJsonObject().get("type").getAsString()));
        Run pretty = cli("dump", "--format", "pretty", "--result", "compare_failed", file.toString());
        assertTrue(pretty.out.startsWith("{\n  \"v\": 2,\n  \"type\": \"vector\","), pretty::toString);
        Run json = cli("dump", "--format", "json", "--result", "compare_failed", file.toString());
        assertEquals(1, json.out.lines().count(), json::toString);
        assertEquals(json.out, cli("dump", "--json", "--result", "compare_failed", file.toString()).out);
        assertEquals("2\n", cli("dump", "-c", "--op", "add", file.toString()).out);
        Run zero = cli("dump", "--count", "--result", "EFAULT", file.toString());
        assertEquals("0\n", zero.out, zero::toString);
        assertEquals(3, zero.code, zero::toString);
    }

    @Test
    void dumpRejectsWhatIsNotADump() throws Exception {
        Path f = tmp.resolve("x.jsonl");
        Files.writeString(f, "{\"v\":1,\"type\":\"header\"}\n{\"hello\": 1}\n");
        Run r = cli("dump", f.toString());
        assertEquals(1, r.code, r::toString);
        assertEquals("cpu-opv dump: " + f + ":2: no schema version \"v\" (not a cpu-opv dump?)\n", r.err);
        Files.writeString(f, "{\"v\":99,\"type\":\"vector\"}\n");
        assertTrue(cli("dump", f.toString()).err.contains(":1: schema version 99 is not 1..2"));
        Files.writeString(f, "not json\n");
        assertTrue(cli("dump", f.toString()).err.contains(":1: not JSON"));
        Run missing = cli("dump", tmp.resolve("none.jsonl").toString());
        assertEquals(1, missing.code);
        assertTrue(missing.err.contains("no such file"), missing::toString);
    }

    @Test
    void dumpReportsDropsAndAMissingEnd() throws Exception {
        Path f = tmp.resolve("cut.jsonl");
        Files.writeString(f, "{\"v\":1,\"type\":\"header\",\"pid\":1}\n{\"v\":1,\"type\":\"dropped\",\"count\":3,\"total\":3}\n");
        Run r = cli("dump", f.toString());
        assertEquals(0, r.code, r::toString);
        assertTrue(r.out.contains("!! 3 vectors dropped here"), r::toString);
        assertTrue(r.out.contains("# 0 of 0 vectors shown; 3 dropped; no end line"), r::toString);
    }

    @Test
    void benchPrintsTheTable() {
        Run r = cli("bench", "--backend", "EMULATED", "--millis", "5");
        assertEquals(0, r.code, r::toString);
        assertTrue(r.out.contains("flag query (CPU_OP_NR_FLAG)"), r::toString);
        assertTrue(r.out.contains("add, 1 op, local CPU"), r::toString);
        assertTrue(r.out.contains("x flag query"), r::toString);
    }

    @Test
    void kernelBackendUnavailableIsOneLine() throws Exception {
        assumeFalse(CpuOpv.isKernelAvailable(), "the module is loaded here");
        Run r = cli("exec", "--backend", "KERNEL", example().toString());
        assertEquals(1, r.code, r::toString);
        assertEquals(1, r.err.lines().count(), r::toString);
        assertTrue(r.err.startsWith("cpu-opv exec: the KERNEL backend is unavailable: "), r::toString);
    }

    @Test
    void execExitCodesSayWhatHappened() {
        assertEquals(0, ExecCommand.exitCode(Outcome.DONE, null));
        assertEquals(3, ExecCommand.exitCode(Outcome.compareFailedAt(0), null));
        assertEquals(1, ExecCommand.exitCode(Outcome.EXPECTED_FAULT, null), "EAGAIN: nothing ran");
        assertTrue(cli("exec", "--help").out.contains("3   a compare stopped the vector"));
    }

    private static final String HEADER = "{\"v\":2,\"type\":\"header\",\"pid\":7,\"time\":\"t\",\"ring\":4,\"source\":\"api\"}\n";

    private static String vector(int seq, String result) {
        return "{\"v\":2,\"type\":\"vector\",\"seq\":" + seq + ",\"cpu\":0,\"caller_cpu\":0,\"thread\":\"main\","
                + "\"ops\":[{\"op\":\"CPU_ADD_OP\",\"len\":8,\"p\":\"0x10\",\"p_in\":{\"region\":\"arena#1\",\"cpu\":0,"
                + "\"offset\":16},\"expect_fault_p\":false,\"count\":\"0x1\"}],\"ret\":0,\"result\":\"" + result + "\""
                + (result.equals("error") ? ",\"errno\":\"EFAULT\"" : "") + "}\n";
    }

    @Test
    void dumpJsonIsOnlyVectorObjectsOnePerLine() throws Exception {
        Path f = tmp.resolve("j.jsonl");
        Files.writeString(f, HEADER + vector(0, "done") + "{\"v\":2,\"type\":\"dropped\",\"count\":2,\"total\":2}\n"
                + vector(3, "error") + "{\"v\":2,\"type\":\"end\",\"recorded\":4,\"dropped\":2}\n");
        Run r = cli("dump", "--json", f.toString());
        assertEquals(0, r.code, r::toString);
        List<String> lines = r.out.lines().collect(java.util.stream.Collectors.toList());
        assertEquals(2, lines.size(), r::toString);
        for (String l : lines) {
            assertEquals("vector", JsonParser.parseString(l).getAsJsonObject().get("type").getAsString(), l);
        }
        assertTrue(r.err.contains("cpu-opv dump: !! 2 vectors dropped here"), () -> "notices on stderr: " + r);
        assertTrue(r.err.contains("2 of 2 vectors matched; 2 dropped; closed cleanly"), r::toString);
        Files.writeString(f, HEADER + vector(0, "done") + "{\"v\":2,\"type\":\"end\",\"recorded\":1,\"dropped\":0}\n");
        Run clean = cli("dump", "--json", f.toString());
        assertEquals("", clean.err, () -> "a clean file: nothing on stderr: " + clean);
        Run v1 = cli("dump", "--json", v1Fixture().toString());
        assertEquals(2, v1.out.lines().count(), v1::toString);
    }

    private static Path v1Fixture() {
        return Path.of(System.getProperty("cpuopv.repo.dir", "."), "src/dump/test/resources/v1-dump.jsonl");
    }

    @Test
    void dumpReadsVersionOneFiles() {
        Run r = cli("dump", v1Fixture().toString());
        assertEquals(0, r.code, r::toString);
        assertTrue(r.out.contains("[0] CPU_COMPARE_EQ_OP len 8 a=0x7f2f3eb8b100 b=0x7f2f3c086080(immediate)"), r::toString);
        assertTrue(r.out.contains("[0] CPU_MEMCPY_OP len 8 dst=0x7f2f3eb8b100 src=0x7f2f3eb8b108(expect_fault)"), r::toString);
        assertTrue(r.out.contains(": error EAGAIN"), r::toString);
        assertTrue(r.out.contains("!! 2 vectors dropped here"), r::toString);
        assertTrue(r.out.contains("# 2 of 2 vectors shown; 2 dropped; closed cleanly (recorded 4, dropped 2)"), r::toString);
    }

    @Test
    void dumpLastKeepsOnlyTheNewest() throws Exception {
        Path f = tmp.resolve("l.jsonl");
        StringBuilder sb = new StringBuilder(HEADER);
        for (int i = 0; i < 50; i++) {
            sb.append(vector(i, i % 10 == 0 ? "error" : "done"));
        }
        Files.writeString(f, sb);
        Run r = cli("dump", "--last", "3", "--json", f.toString());
        assertEquals(0, r.code, r::toString);
        assertEquals(List.of(47, 48, 49), r.out.lines().map(l -> JsonParser.parseString(l).getAsJsonObject()
                .get("seq").getAsInt()).collect(java.util.stream.Collectors.toList()));
        Run errors = cli("dump", "--last", "2", "--result", "EFAULT", f.toString());
        assertEquals(0, errors.code, errors::toString);
        assertTrue(errors.out.contains("#30 ") && errors.out.contains("#40 ") && !errors.out.contains("#20 "), errors::toString);
        assertTrue(errors.out.contains("# 2 of 50 vectors shown (the last 2 of 5 matching); 0 dropped; no end line"),
                errors::toString);
        assertTrue(errors.out.contains("p=0x10 (arena#1 cpu 0 +0x10) count=0x1"), errors::toString);
    }

    @Test
    void dumpFollowsAGrowingFile() throws Exception {
        Path f = tmp.resolve("grow.jsonl");
        Files.writeString(f, HEADER + vector(0, "done"));
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int[] code = {-1};
        Thread t = new Thread(() -> code[0] = cl.execute("dump", "--follow", "--poll-millis", "10", "--json",
                "--last", "5", f.toString()));
        t.start();
        try {
            awaitLines(out, 1);
            String second = vector(1, "done");
            Files.writeString(f, second.substring(0, 20), java.nio.file.StandardOpenOption.APPEND);
            Thread.sleep(100);
            assertEquals(1, out.toString().lines().count(), "half a line is not a line yet");
            Files.writeString(f, second.substring(20) + vector(2, "error"), java.nio.file.StandardOpenOption.APPEND);
            awaitLines(out, 3);
            Files.writeString(f, HEADER + vector(0, "done")); // the recorder restarted: truncated
            awaitLines(out, 4);
            assertTrue(err.toString().contains("was truncated; reading it from the start"), err::toString);
        } finally {
            t.interrupt();
            t.join(10_000);
        }
        assertFalse(t.isAlive());
        assertEquals(0, code[0], () -> out + "\n" + err);
        List<Integer> seqs = out.toString().lines().map(l -> JsonParser.parseString(l).getAsJsonObject().get("seq").getAsInt())
                .collect(java.util.stream.Collectors.toList());
        assertEquals(List.of(0, 1, 2, 0), seqs);
    }

    private static void awaitLines(StringWriter w, int n) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (w.toString().lines().count() < n) {
            assertTrue(System.nanoTime() < deadline, () -> "waited for " + n + " lines: " + w);
            Thread.sleep(10);
        }
    }

    @Test
    void dumpPullsTheRingOfARunningJvm() throws Exception {
        Process withRecorder = PullChild.start(tmp, true);
        Process without = PullChild.start(tmp, false);
        try {
            PullChild.awaitReady(withRecorder);
            Path out = tmp.resolve("pulled.jsonl");
            Run r = cli("dump", "--pull", Long.toString(withRecorder.pid()), "--json", out.toString());
            assertEquals(0, r.code, r::toString);
            assertEquals(PullChild.VECTORS, r.out.lines().count(), r::toString);
            assertTrue(r.err.startsWith("cpu-opv dump: pid " + withRecorder.pid() + " wrote " + PullChild.VECTORS
                    + " vectors of its ring (org.cpuopv:type=DumpRecorder) to " + out.toAbsolutePath()), r::toString);
            JsonObject v = JsonParser.parseString(r.out.lines().findFirst().get()).getAsJsonObject();
            assertEquals(withRecorder.pid(), v.get("pid").getAsLong());
            Run again = cli("dump", "--pull", Long.toString(withRecorder.pid()), "--result", "compare_failed",
                    tmp.resolve("again.jsonl").toString());
            assertEquals(3, again.code, again::toString);
            assertTrue(again.err.contains("wrote " + PullChild.VECTORS + " vectors"), again::toString);

            PullChild.awaitReady(without);
            Run none = cli("dump", "--pull", Long.toString(without.pid()));
            assertEquals(1, none.code, none::toString);
            assertTrue(none.err.contains("that JVM has no cpu-opv recorder"), none::toString);
        } finally {
            withRecorder.destroy();
            without.destroy();
        }
        Run gone = cli("dump", "--pull", "2147483646");
        assertEquals(1, gone.code, gone::toString);
        assertTrue(gone.err.startsWith("cpu-opv dump: --pull 2147483646: cannot attach"), gone::toString);
        assertEquals(2, cli("dump", "--pull", "1", "--follow").code);
    }

    /** A service with the recorder turned on from outside (or not), waiting to be pulled. */
    public static final class PullChild {
        static final int VECTORS = 3;

        static Process start(Path dir, boolean recorder) throws Exception {
            List<String> cmd = new java.util.ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path")));
            if (recorder) {
                cmd.add("-Dcpuopv.dump=ring");
            }
            String workdir = System.getProperty("cpuopv.native.workdir");
            if (workdir != null) {
                cmd.add("-Dcpuopv.native.workdir=" + workdir);
            }
            cmd.add(PullChild.class.getName());
            return new ProcessBuilder(cmd).redirectError(dir.resolve("child-" + recorder + ".err").toFile()).start();
        }

        static void awaitReady(Process p) throws Exception {
            java.io.BufferedReader r = new java.io.BufferedReader(
                    new java.io.InputStreamReader(p.getInputStream(), java.nio.charset.StandardCharsets.UTF_8));
            assertEquals("ready", r.readLine(), "the child started");
        }

        public static void main(String[] args) throws Exception {
            CpuOpv opv = CpuOpv.open(Backend.EMULATED);
            PerCpuArena arena = opv.allocateArena(64);
            OpVector v = opv.newVector();
            int cpu = opv.possibleCpus().get(0);
            for (int i = 0; i < VECTORS; i++) {
                opv.execute(v.on(cpu).addLong(arena.slot(cpu), 0, 1));
            }
            System.out.println("ready");
            System.out.flush();
            System.in.read(); // until the test ends
        }
    }
}
