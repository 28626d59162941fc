/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.dump;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.stream.JsonWriter;

import org.cpuopv.Backend;
import org.cpuopv.ExecuteListener;
import org.cpuopv.OpVector;

/**
 * Records executed vectors as JSON Lines (docs/dump-schema.md): an in-memory ring of the last
 * N vectors, and optionally a file written by a background thread through a bounded queue.
 *
 * <p><b>Turning it on.</b> By API: {@code CpuOpv.open(backend, Recorder.builder().streamTo(path).build())}.
 * From outside, with no code change: the system property {@value #PROPERTY} or the environment
 * variable {@value #ENV} (the property wins) set to
 * <ul>
 * <li>a file path ({@code %p} is replaced by the process id): stream there, truncating it;</li>
 * <li>an existing directory: stream to {@code cpu-opv-<pid>.jsonl} in it;</li>
 * <li>{@code ring} (or {@code on}, {@code true}, {@code 1}): ring only, read it with {@link #global()};</li>
 * <li>unset, empty, {@code off}, {@code false} or {@code 0}: off (the default).</li>
 * </ul>
 * Then every {@code CpuOpv.open} without an explicit listener shares one recorder, closed at
 * JVM exit. {@value #RING_PROPERTY} / {@value #RING_ENV} set the ring size (default
 * {@value #DEFAULT_RING}), {@value #QUEUE_PROPERTY} / {@value #QUEUE_ENV} the stream queue
 * (default {@value #DEFAULT_QUEUE}).
 *
 * <p><b>Costs.</b> Off, nothing: the handle has no listener and execute does not even read the
 * clock. On, the executing thread copies the vector (one small allocation per op array) and
 * offers it to the queue; JSON is written by the writer thread.
 *
 * <p><b>Nothing lost silently.</b> A vector that finds the queue full (or comes after close) is
 * counted in {@link #dropped()}, and the file says so with a {@code "dropped"} line where it
 * happened; the ring always keeps the last N. The file ends with an {@code "end"} line with the
 * totals when the recorder is closed ({@link #close()}, or at JVM exit).
 */
public final class Recorder implements ExecuteListener, AutoCloseable {
    /** System property that turns the recorder on for every handle (see the class doc). */
    public static final String PROPERTY = "cpuopv.dump";
    /** Environment variable that turns the recorder on (the property wins over it). */
    public static final String ENV = "CPU_OPV_DUMP";
    /** System property: ring capacity. */
    public static final String RING_PROPERTY = "cpuopv.dump.ring";
    /** Environment variable: ring capacity. */
    public static final String RING_ENV = "CPU_OPV_DUMP_RING";
    /** System property: stream queue capacity. */
    public static final String QUEUE_PROPERTY = "cpuopv.dump.queue";
    /** Environment variable: stream queue capacity. */
    public static final String QUEUE_ENV = "CPU_OPV_DUMP_QUEUE";
    /** Default ring capacity. */
    public static final int DEFAULT_RING = 1024;
    /** Default stream queue capacity. */
    public static final int DEFAULT_QUEUE = 65536;

    private static final System.Logger LOG = System.getLogger("org.cpuopv.dump");
    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();
    private static final Object STOP = new Object();
    private static final Object GLOBAL_LOCK = new Object();
    private static Recorder global;
    private static boolean globalResolved;

    private final long pid = ProcessHandle.current().pid();
    private final long epochBase;
    private final long nanoBase;
    private final String source;
    private final AtomicLong seq = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicReferenceArray<Entry> ring;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Path streamPath;
    private final ArrayBlockingQueue<Object> queue;
    private final Writer out;
    private final Thread writer;
    private final Thread exitHook;
    private final javax.management.ObjectName mbeanName;
    private volatile IOException streamFailure;
    private long droppedReported; // writer thread only
    private long streamed;        // writer thread only

    private Recorder(Builder b, String source) throws IOException {
        Instant now = Instant.now();
        this.nanoBase = System.nanoTime();
        this.epochBase = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        this.source = source;
        this.ring = new AtomicReferenceArray<>(b.ring);
        this.streamPath = b.stream;
        if (b.stream == null) {
            queue = null;
            out = null;
            writer = null;
        } else {
            Path parent = b.stream.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            out = new BufferedWriter(Files.newBufferedWriter(b.stream, StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE), 1 << 16);
            queue = new ArrayBlockingQueue<>(b.queue);
            out.write(headerLine(b));
            out.write('\n');
            writer = new Thread(this::runWriter, "cpu-opv-dump-writer");
            writer.setDaemon(true);
            writer.start();
        }
        if (b.closeAtExit && writer != null) {
            exitHook = new Thread(this::close, "cpu-opv-dump-exit");
            Runtime.getRuntime().addShutdownHook(exitHook);
        } else {
            exitHook = null;
        }
        mbeanName = b.mbean == null ? null : Management.register(this, b.mbean);
    }

    /** @return a builder: ring of {@value #DEFAULT_RING}, no file, closed at JVM exit */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The recorder turned on by {@value #PROPERTY} / {@value #ENV}, created on the first call
     * (also made by the first {@code CpuOpv.open}); the same one afterwards.
     *
     * @return it, or null when they turn it off
     * @throws IllegalArgumentException when a setting is malformed or the file cannot be created
     */
    public static Recorder global() {
        synchronized (GLOBAL_LOCK) {
            if (!globalResolved) {
                global = fromSettings(setting(PROPERTY, ENV), setting(RING_PROPERTY, RING_ENV),
                        setting(QUEUE_PROPERTY, QUEUE_ENV), true);
                globalResolved = true;
            }
            return global;
        }
    }

    private static String[] setting(String property, String env) {
        String p = System.getProperty(property);
        if (p != null) {
            return new String[] {p, "-D" + property};
        }
        String e = System.getenv(env);
        return e == null ? null : new String[] {e, env};
    }

    /** Builds a recorder from the three settings (value + where it came from); null when off. */
    static Recorder fromSettings(String[] dump, String[] ring, String[] queue, boolean closeAtExit) {
        if (dump == null) {
            return null;
        }
        String v = dump[0].trim();
        String lower = v.toLowerCase(Locale.ROOT);
        if (lower.isEmpty() || lower.equals("off") || lower.equals("false") || lower.equals("0") || lower.equals("no")) {
            return null;
        }
        Builder b = builder().closeAtExit(closeAtExit);
        b.mbean = "";
        if (ring != null) {
            b.ring(parseCount(ring, 0));
        }
        if (queue != null) {
            b.queue(parseCount(queue, 1));
        }
        if (!(lower.equals("ring") || lower.equals("on") || lower.equals("true") || lower.equals("1") || lower.equals("yes"))) {
            long pid = ProcessHandle.current().pid();
            Path p = Path.of(v.replace("%p", Long.toString(pid)));
            if (Files.isDirectory(p)) {
                p = p.resolve("cpu-opv-" + pid + ".jsonl");
            }
            b.streamTo(p);
        }
        try {
            Recorder r = new Recorder(b, dump[1]);
            LOG.log(System.Logger.Level.INFO, "cpu_opv dump recorder on (" + dump[1] + "): "
                    + (r.streamPath == null ? "ring of " + b.ring + " only" : "streaming to " + r.streamPath));
            return r;
        } catch (IOException e) {
            throw new IllegalArgumentException(dump[1] + "=" + v + ": cannot create the dump file: " + e, e);
        }
    }

    private static int parseCount(String[] s, int min) {
        try {
            int n = Integer.parseInt(s[0].trim());
            if (n >= min) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(s[1] + "=" + s[0] + ": expected a whole number >= " + min);
    }

    // ------------------------------------------------------------------ recording

    @Override
    public void executed(Backend backend, OpVector vector, int callerCpu, int result, long startNanos, long durationNanos) {
        inFlight.incrementAndGet();
        try {
            if (closed.get()) {
                dropped.incrementAndGet();
                return;
            }
            Entry e = new Entry(seq.getAndIncrement(), epochBase + (startNanos - nanoBase), backend, vector,
                    callerCpu, result, durationNanos);
            int n = ring.length();
            if (n > 0) {
                ring.lazySet((int) (e.seq % n), e);
            }
            if (queue != null && !queue.offer(e)) {
                dropped.incrementAndGet();
            }
        } finally {
            inFlight.decrementAndGet();
        }
    }

    // ------------------------------------------------------------------ reading

    /** @return how many vectors were recorded (into the ring and offered to the stream) */
    public long recorded() {
        return seq.get();
    }

    /** @return how many vectors could not be streamed (queue full, write failure, after close) */
    public long dropped() {
        return dropped.get();
    }

    /** @return the ring capacity (0: no ring) */
    public int ringCapacity() {
        return ring.length();
    }

    /** @return the file streamed to, or null */
    public Path streamPath() {
        return streamPath;
    }

    /** @return the vectors in the ring, oldest first, each as one compact JSON line (no newline) */
    public List<String> ringLines() {
        List<Entry> all = new ArrayList<>(ring.length());
        for (int i = 0; i < ring.length(); i++) {
            Entry e = ring.get(i);
            if (e != null) {
                all.add(e);
            }
        }
        all.sort(Comparator.comparingLong(e -> e.seq));
        long oldest = seq.get() - ring.length();
        List<String> lines = new ArrayList<>(all.size());
        for (Entry e : all) {
            if (e.seq >= oldest) {
                lines.add(line(e));
            }
        }
        return lines;
    }

    /**
     * Writes the ring as a dump file (a header, the vectors, an end line) that the CLI reads.
     *
     * @param file the file to write, created or truncated
     * @throws IOException when the file cannot be created or written
     */
    public void writeRing(Path file) throws IOException {
        writeRing(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
    }

    /** @return the number of vector lines written */
    long writeRing(Path file, StandardOpenOption... options) throws IOException {
        List<String> lines = ringLines();
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8, options)) {
            w.write(headerLine(null));
            w.write('\n');
            for (String s : lines) {
                w.write(s);
                w.write('\n');
            }
            w.write(endLine());
            w.write('\n');
        }
        return lines.size();
    }

    /** @return how the recorder was turned on ({@code api}, {@code -Dcpuopv.dump}, {@code CPU_OPV_DUMP}) */
    String source() {
        return source;
    }

    /** @return the name it is registered under in the platform MBean server, or null */
    public String mbeanName() {
        return mbeanName == null ? null : mbeanName.toString();
    }

    /**
     * Waits until everything offered so far is written and flushed to the file (no-op without one).
     *
     * @throws UncheckedIOException when writing the file failed
     */
    public void flush() {
        if (queue == null || closed.get()) {
            return;
        }
        CountDownLatch done = new CountDownLatch(1);
        try {
            queue.put(done);
            while (!done.await(100, TimeUnit.MILLISECONDS)) {
                if (!writer.isAlive()) {
                    break;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        IOException f = streamFailure;
        if (f != null) {
            throw new UncheckedIOException("cpu_opv dump: writing " + streamPath + " failed", f);
        }
    }

    /** Stops recording, writes what is queued, the totals line, and closes the file; idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        while (inFlight.get() != 0) {
            Thread.onSpinWait();
        }
        if (writer != null) {
            try {
                queue.put(STOP);
                writer.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (mbeanName != null) {
            Management.unregister(mbeanName);
        }
        if (exitHook != null && Thread.currentThread() != exitHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(exitHook);
            } catch (IllegalStateException e) {
                // the JVM is already exiting
            }
        }
    }

    // ------------------------------------------------------------------ the writer thread

    private void runWriter() {
        for (;;) {
            Object o;
            try {
                o = queue.take();
            } catch (InterruptedException e) {
                continue; // only close() stops the writer
            }
            if (o == STOP) {
                break;
            }
            if (o instanceof Entry) {
                write(line((Entry) o), true);
            } else if (o instanceof CountDownLatch) {
                reportDrops();
                flushOut();
                ((CountDownLatch) o).countDown();
            }
            if (queue.isEmpty()) {
                reportDrops();
                flushOut();
            }
        }
        Object o;
        while ((o = queue.poll()) != null) {
            if (o instanceof Entry) {
                write(line((Entry) o), true);
            } else if (o instanceof CountDownLatch) {
                ((CountDownLatch) o).countDown();
            }
        }
        reportDrops();
        write(endLine(), false);
        try {
            out.close();
        } catch (IOException e) {
            failed(e);
        }
    }

    private void write(String line, boolean vector) {
        if (streamFailure != null) {
            if (vector) {
                dropped.incrementAndGet();
            }
            return;
        }
        try {
            out.write(line);
            out.write('\n');
            if (vector) {
                streamed++;
            }
        } catch (IOException e) {
            failed(e);
            if (vector) {
                dropped.incrementAndGet();
            }
        }
    }

    private void flushOut() {
        if (streamFailure == null) {
            try {
                out.flush();
            } catch (IOException e) {
                failed(e);
            }
        }
    }

    private void failed(IOException e) {
        if (streamFailure == null) {
            streamFailure = e;
            LOG.log(System.Logger.Level.ERROR, "cpu_opv dump: writing " + streamPath
                    + " failed; further vectors are counted as dropped: " + e);
        }
    }

    private void reportDrops() {
        long d = dropped.get();
        if (d > droppedReported) {
            StringWriter s = new StringWriter();
            try (JsonWriter w = GSON.newJsonWriter(s)) {
                w.beginObject();
                w.name("v").value(DumpSchema.VERSION);
                w.name("type").value(DumpSchema.TYPE_DROPPED);
                w.name("time").value(Instant.now().toString());
                w.name("count").value(d - droppedReported);
                w.name("total").value(d);
                w.endObject();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            droppedReported = d;
            write(s.toString(), false);
        }
    }

    // ------------------------------------------------------------------ lines

    private String line(Entry e) {
        StringWriter s = new StringWriter(256);
        try (JsonWriter w = GSON.newJsonWriter(s)) {
            e.write(w, pid);
        } catch (IOException x) {
            throw new UncheckedIOException(x); // a StringWriter does not fail
        }
        return s.toString();
    }

    private String headerLine(Builder b) {
        StringWriter s = new StringWriter();
        try (JsonWriter w = GSON.newJsonWriter(s)) {
            w.beginObject();
            w.name("v").value(DumpSchema.VERSION);
            w.name("type").value(DumpSchema.TYPE_HEADER);
            w.name("time").value(Instant.now().toString());
            w.name("pid").value(pid);
            w.name("java").value(System.getProperty("java.version"));
            w.name("os").value(System.getProperty("os.name") + " " + System.getProperty("os.version"));
            w.name("source").value(b == null ? "ring" : source);
            w.name("ring").value(ring.length());
            if (b != null) {
                w.name("queue").value(b.queue);
            }
            w.endObject();
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        }
        return s.toString();
    }

    private String endLine() {
        StringWriter s = new StringWriter();
        try (JsonWriter w = GSON.newJsonWriter(s)) {
            w.beginObject();
            w.name("v").value(DumpSchema.VERSION);
            w.name("type").value(DumpSchema.TYPE_END);
            w.name("time").value(Instant.now().toString());
            w.name("recorded").value(seq.get());
            if (queue != null) {
                w.name("streamed").value(streamed);
            }
            w.name("dropped").value(dropped.get());
            w.endObject();
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        }
        return s.toString();
    }

    @Override
    public String toString() {
        return "Recorder[ring " + ring.length() + (streamPath == null ? "" : ", streaming to " + streamPath)
                + ", recorded " + seq.get() + ", dropped " + dropped.get() + (closed.get() ? ", closed" : "") + "]";
    }

    /** Settings of a {@link Recorder}. */
    public static final class Builder {
        private int ring = DEFAULT_RING;
        private int queue = DEFAULT_QUEUE;
        private Path stream;
        private boolean closeAtExit = true;
        private String mbean;

        private Builder() {
        }

        /**
         * @param capacity how many of the last vectors to keep in memory (0: none)
         * @return this
         * @throws IllegalArgumentException when {@code capacity} is negative
         */
        public Builder ring(int capacity) {
            if (capacity < 0) {
                throw new IllegalArgumentException("ring capacity " + capacity + " is negative");
            }
            this.ring = capacity;
            return this;
        }

        /**
         * @param file JSON Lines file to stream to (created or truncated), null for none
         * @return this
         */
        public Builder streamTo(Path file) {
            this.stream = file;
            return this;
        }

        /**
         * @param capacity vectors waiting for the writer before new ones are dropped (&gt;= 1)
         * @return this
         * @throws IllegalArgumentException when {@code capacity} is less than 1
         */
        public Builder queue(int capacity) {
            if (capacity < 1) {
                throw new IllegalArgumentException("queue capacity " + capacity + " is less than 1");
            }
            this.queue = capacity;
            return this;
        }

        /**
         * @param name register the recorder in the platform MBean server as
         *             {@code org.cpuopv:type=DumpRecorder,name=NAME} while it is open, so its ring
         *             can be pulled from outside ({@link DumpRecorderMXBean}); null (the default):
         *             not registered. The recorder turned on from outside is always registered,
         *             as {@value DumpRecorderMXBean#OBJECT_NAME}.
         * @return this
         * @throws IllegalArgumentException when {@code name} is empty or has a character other than letters,
         *         digits, '_', '.' and '-'
         */
        public Builder mbean(String name) {
            if (name != null && (name.isEmpty() || !name.matches("[A-Za-z0-9_.-]+"))) {
                throw new IllegalArgumentException("mbean name '" + name + "': use letters, digits, '_', '.', '-'");
            }
            this.mbean = name;
            return this;
        }

        /**
         * @param yes close (and so flush) the file from a shutdown hook (default true)
         * @return this
         */
        public Builder closeAtExit(boolean yes) {
            this.closeAtExit = yes;
            return this;
        }

        /**
         * @return the recorder, streaming already when a file was given
         * @throws UncheckedIOException when the file cannot be created
         */
        public Recorder build() {
            try {
                return new Recorder(this, "api");
            } catch (IOException e) {
                throw new UncheckedIOException("cpu_opv dump: cannot create " + stream, e);
            }
        }
    }
}
