/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.dump;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

/** Reads a dump file back: every non-blank line one JSON object of a known schema version. */
public final class DumpReader {
    private DumpReader() {
    }

    /** A line that is not part of a valid dump; the message names the file and line. */
    public static final class FormatException extends Exception {
        private static final long serialVersionUID = 1L;

        FormatException(String message) {
            super(message);
        }
    }

    /**
     * Reads a whole file into memory; for files of any size use {@link #open(Path)}.
     *
     * @param file the dump file
     * @return the file's objects in order (headers, vectors, dropped and end lines)
     * @throws IOException when the file cannot be opened or read
     * @throws FormatException at the first line that is not a JSON object with {@code "v"}
     *         {@link DumpSchema#OLDEST_READ}..{@link DumpSchema#VERSION} and a {@code "type"}
     *         (an unterminated last line included)
     */
    public static List<JsonObject> read(Path file) throws IOException, FormatException {
        List<JsonObject> all = new ArrayList<>();
        try (Cursor c = open(file)) {
            JsonObject o;
            while ((o = c.next()) != null) {
                all.add(o);
            }
            o = c.finish();
            if (c.cutShort()) {
                throw new FormatException(file + ":" + c.lineNumber() + ": not JSON: the last line is cut short");
            }
            if (o != null) {
                all.add(o);
            }
        }
        return all;
    }

    /**
     * @param file the dump file (it may still be growing)
     * @return a cursor over the file's lines, reading it as it goes (a file of any size, or one
     *         still being written)
     * @throws IOException when the file cannot be opened
     */
    public static Cursor open(Path file) throws IOException {
        return new Cursor(file, Files.newInputStream(file));
    }

    /**
     * Reads a dump line by line with a bounded buffer: only complete lines (ending in a
     * newline) are returned by {@link #next()}, so a file another process is appending to can be
     * followed by calling {@code next()} again after it answered null. Not thread-safe.
     */
    public static final class Cursor implements Closeable {
        /** Longest line accepted (a vector line is a few KiB at most). */
        static final int MAX_LINE = 16 << 20;

        private final Path file;
        private final InputStream in;
        private byte[] buf = new byte[1 << 16];
        private int start;  // first byte of the current line
        private int scan;   // bytes before this hold no newline
        private int end;    // bytes read into buf
        private long lines; // lines consumed so far
        private long bytesRead;
        private boolean cutShort;

        private Cursor(Path file, InputStream in) {
            this.file = file;
            this.in = in;
        }

        /**
         * @return the next complete non-blank line, parsed and checked, or null when no complete
         *         line is there (yet: a growing file may have more later)
         * @throws IOException when reading the file fails
         * @throws FormatException when the line is not a dump line (the message names file and line)
         */
        public JsonObject next() throws IOException, FormatException {
            for (;;) {
                for (int k = scan; k < end; k++) {
                    if (buf[k] == '\n') {
                        int len = k - start;
                        if (len > 0 && buf[k - 1] == '\r') {
                            len--;
                        }
                        String line = new String(buf, start, len, StandardCharsets.UTF_8);
                        start = k + 1;
                        scan = start;
                        lines++;
                        if (!line.isBlank()) {
                            return parse(line, file + ":" + lines);
                        }
                        k = start - 1;
                    }
                }
                scan = end;
                if (!fill()) {
                    return null;
                }
            }
        }

        private boolean fill() throws IOException, FormatException {
            if (start > 0) {
                System.arraycopy(buf, start, buf, 0, end - start);
                end -= start;
                scan -= start;
                start = 0;
            }
            if (end == buf.length) {
                if (buf.length >= MAX_LINE) {
                    throw new FormatException(file + ":" + (lines + 1) + ": a line longer than " + MAX_LINE
                            + " bytes (not a cpu-opv dump?)");
                }
                buf = Arrays.copyOf(buf, Math.min(MAX_LINE, buf.length * 2));
            }
            int r = in.read(buf, end, buf.length - end);
            if (r <= 0) {
                return false;
            }
            end += r;
            bytesRead += r;
            return true;
        }

        /**
         * At the end of a file no longer written: the text after the last newline, if any.
         *
         * @return that line parsed, or null when there is none or it is not a valid dump line
         *         ({@link #cutShort()} then says so: the writer died in the middle of a line)
         * @throws IOException not thrown by this implementation: it only parses what {@link #next()} already read
         */
        public JsonObject finish() throws IOException {
            if (start == end) {
                return null;
            }
            String line = new String(buf, start, end - start, StandardCharsets.UTF_8);
            start = end;
            scan = end;
            lines++;
            if (line.isBlank()) {
                return null;
            }
            try {
                return parse(line, file + ":" + lines);
            } catch (FormatException e) {
                cutShort = true;
                return null;
            }
        }

        /** @return true when {@link #finish()} found an incomplete last line */
        public boolean cutShort() {
            return cutShort;
        }

        /** @return the number of the last line read (1-based; 0 before the first) */
        public long lineNumber() {
            return lines;
        }

        /** @return bytes read from the file so far (a smaller file size means it was truncated) */
        public long bytesRead() {
            return bytesRead;
        }

        /** @return the file */
        public Path file() {
            return file;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    /**
     * @param line  one line of a dump, without its newline
     * @param where what the error message starts with, e.g. {@code "file:12"}
     * @return one line parsed and checked; {@code where} prefixes the error message
     * @throws FormatException when the line is not a JSON object with {@code "v"}
     *         {@link DumpSchema#OLDEST_READ}..{@link DumpSchema#VERSION} and a {@code "type"}
     */
    public static JsonObject parse(String line, String where) throws FormatException {
        JsonElement e;
        try {
            e = JsonParser.parseString(line);
        } catch (JsonParseException x) {
            throw new FormatException(where + ": not JSON: " + rootMessage(x));
        }
        if (!e.isJsonObject()) {
            throw new FormatException(where + ": not a JSON object");
        }
        JsonObject o = e.getAsJsonObject();
        int v;
        try {
            v = o.get("v").getAsInt();
        } catch (RuntimeException x) {
            throw new FormatException(where + ": no schema version \"v\" (not a cpu-opv dump?)");
        }
        if (v < DumpSchema.OLDEST_READ || v > DumpSchema.VERSION) {
            throw new FormatException(where + ": schema version " + v + " is not " + DumpSchema.OLDEST_READ + ".."
                    + DumpSchema.VERSION
                    + " (written by a newer cpu-opv?)");
        }
        if (!o.has("type") || !o.get("type").isJsonPrimitive()) {
            throw new FormatException(where + ": no \"type\"");
        }
        return o;
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage();
    }
}
