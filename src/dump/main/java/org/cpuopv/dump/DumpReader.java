/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.dump;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
     * @return the file's objects in order (headers, vectors, dropped and end lines)
     * @throws FormatException at the first line that is not a JSON object with {@code "v"} 1..
     *         {@link DumpSchema#VERSION} and a {@code "type"}
     */
    public static List<JsonObject> read(Path file) throws IOException, FormatException {
        List<JsonObject> all = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int n = 0;
            while ((line = r.readLine()) != null) {
                n++;
                if (line.isBlank()) {
                    continue;
                }
                all.add(parse(line, file + ":" + n));
            }
        }
        return all;
    }

    /** @return one line parsed and checked; {@code where} prefixes the error message */
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
        if (v < 1 || v > DumpSchema.VERSION) {
            throw new FormatException(where + ": schema version " + v + " is not 1.." + DumpSchema.VERSION
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
