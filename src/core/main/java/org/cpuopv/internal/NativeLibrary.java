/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.cpuopv.Backend;
import org.cpuopv.CpuOpv;

/**
 * Finds and loads libcpuopv, once per class loader, on first use (never in a static
 * initializer of a public class, never by throwing from one).
 *
 * <p>Order, stopping at the first that loads:
 * <ol>
 * <li>the file named by the system property {@value #PATH_PROPERTY}, if set;</li>
 * <li>{@code System.loadLibrary("cpuopv")}, i.e. {@code java.library.path};</li>
 * <li>the copy shipped in the jar under {@code META-INF/native/linux-x86_64/}: loaded in place
 *     when the class path entry is a directory, else extracted into a fresh directory under
 *     {@value #WORKDIR_PROPERTY} (default {@code java.io.tmpdir}), loaded, and deleted.</li>
 * </ol>
 * When all fail, {@link #failure()} is one {@link LibraryLoadFailure} that
 * lists what was tried and carries every cause as a suppressed exception.
 */
public final class NativeLibrary {
    /** System property: absolute path of a libcpuopv.so to load before anything else. */
    public static final String PATH_PROPERTY = "cpuopv.native.path";
    /** System property: directory to extract the bundled library into. */
    public static final String WORKDIR_PROPERTY = "cpuopv.native.workdir";
    public static final String NAME = "cpuopv";
    public static final String PLATFORM = "linux-x86_64";
    public static final String RESOURCE = "META-INF/native/" + PLATFORM + "/lib" + NAME + ".so";

    private NativeLibrary() {
    }

    /** Computed once, on first use; immutable afterwards. */
    private static final class Holder {
        static final LibraryLoadFailure FAILURE = loadOnce();
    }

    /** @return true when the library is loaded and its ABI matches this class's */
    public static boolean isLoaded() {
        return Holder.FAILURE == null;
    }

    /** @return why the library is not usable, or null when it is */
    public static LibraryLoadFailure failure() {
        return Holder.FAILURE;
    }

    /** @throws IllegalStateException (the failure as cause) when not loaded */
    public static void ensureLoaded() {
        LibraryLoadFailure f = Holder.FAILURE;
        if (f != null) {
            throw new IllegalStateException(f.getMessage(), f);
        }
    }

    private static LibraryLoadFailure loadOnce() {
        try {
            return load(System.getProperty(PATH_PROPERTY), System.getProperty(WORKDIR_PROPERTY,
                    System.getProperty("java.io.tmpdir")), NativeLibrary.class.getClassLoader());
        } catch (Throwable t) { // never let a loader bug escape as an ExceptionInInitializerError
            return new LibraryLoadFailure("unexpected error while loading lib" + NAME
                    + ".so: " + t, t);
        }
    }

    /**
     * One full attempt (tests pass paths that cannot load).
     *
     * @return null on success, else the exception describing every attempt
     */
    public static LibraryLoadFailure load(String explicitPath, String workDir, ClassLoader loader) {
        // before the first restricted call (loading a library is one on JDK 24+): see NativeAccess
        NativeAccess.granted();
        List<Throwable> causes = new ArrayList<>();
        List<String> tried = new ArrayList<>();
        String os = System.getProperty("os.name", "?");
        String arch = System.getProperty("os.arch", "?");
        if (!os.toLowerCase(Locale.ROOT).startsWith("linux")
                || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            return new LibraryLoadFailure("lib" + NAME + ".so is built for "
                    + PLATFORM + " only; this JVM runs on " + os + "/" + arch
                    + " (the emulated backend works everywhere: CpuOpv.open(Backend.EMULATED))", null);
        }
        if (explicitPath != null && !explicitPath.isEmpty()) {
            tried.add("-D" + PATH_PROPERTY + "=" + explicitPath);
            if (attempt(() -> System.load(Paths.get(explicitPath).toAbsolutePath().toString()), causes)) {
                return checkAbi(tried, causes);
            }
        }
        tried.add("java.library.path=" + System.getProperty("java.library.path"));
        if (attempt(() -> System.loadLibrary(NAME), causes)) {
            return checkAbi(tried, causes);
        }
        URL url = loader == null ? ClassLoader.getSystemResource(RESOURCE) : loader.getResource(RESOURCE);
        String extractHint = "";
        if (url == null) {
            tried.add("class path resource " + RESOURCE + " (not found: is the cpu-opv jar on the class path?)");
        } else if ("file".equals(url.getProtocol())) {
            tried.add(url.toString());
            if (attempt(() -> System.load(Paths.get(toUri(url)).toString()), causes)) {
                return checkAbi(tried, causes);
            }
        } else {
            tried.add(url + " extracted under " + workDir);
            Path[] extracted = new Path[1];
            if (attempt(() -> {
                extracted[0] = extract(url, Paths.get(workDir));
                try {
                    System.load(extracted[0].toString());
                } finally {
                    deleteQuietly(extracted[0]);
                }
            }, causes)) {
                return checkAbi(tried, causes);
            }
            if (isNoExec(Paths.get(workDir))) {
                extractHint = " The extraction directory " + workDir + " is on a noexec file system:"
                        + " set -D" + WORKDIR_PROPERTY + "=<a directory where code may be mapped executable>.";
            } else {
                extractHint = " Extraction directory: " + workDir + " (change it with -D"
                        + WORKDIR_PROPERTY + "=DIR; it must be writable and not mounted noexec).";
            }
        }
        LibraryLoadFailure e = new LibraryLoadFailure(
                "cannot load lib" + NAME + ".so; tried: " + String.join("; ", tried) + "." + extractHint
                        + " Or point -D" + PATH_PROPERTY + "=/path/to/lib" + NAME + ".so at a copy built by"
                        + " `mvn package` (src/core/target/classes/" + RESOURCE + ").", null);
        causes.forEach(e::addSuppressed);
        return e;
    }

    private interface Step {
        void run() throws Exception;
    }

    private static boolean attempt(Step step, List<Throwable> causes) {
        try {
            step.run();
            return true;
        } catch (Throwable t) {
            causes.add(t);
            return false;
        }
    }

    private static LibraryLoadFailure checkAbi(List<String> tried, List<Throwable> causes) {
        int abi;
        try {
            abi = NativeCalls.abiVersion();
        } catch (UnsatisfiedLinkError e) {
            LibraryLoadFailure x = new LibraryLoadFailure("lib" + NAME
                    + ".so loaded from " + tried.get(tried.size() - 1)
                    + " but its JNI functions are not registered (another library of that name?)", e);
            causes.forEach(x::addSuppressed);
            return x;
        }
        if (abi != NativeCalls.ABI_VERSION) {
            LibraryLoadFailure x = new LibraryLoadFailure("mismatched lib"
                    + NAME + ".so loaded from " + tried.get(tried.size() - 1) + ": its ABI version is " + abi
                    + ", this jar needs " + NativeCalls.ABI_VERSION
                    + " (a stale copy on java.library.path? remove it or rebuild with `mvn package`)", null);
            causes.forEach(x::addSuppressed);
            return x;
        }
        return null;
    }

    /** Copies the resource into a new private directory under {@code workDir}. */
    public static Path extract(URL url, Path workDir) throws IOException {
        Files.createDirectories(workDir);
        Path dir = Files.createTempDirectory(workDir, "cpuopv-native-");
        Path file = dir.resolve("lib" + NAME + ".so");
        try (InputStream in = url.openStream()) {
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
        }
        if (!file.toFile().setExecutable(true, true) || !file.toFile().setReadable(true, true)) {
            throw new IOException("cannot make " + file + " readable and executable");
        }
        return file;
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
            Files.deleteIfExists(file.getParent());
        } catch (IOException ignored) {
            // a leftover file in the temp directory is harmless
        }
    }

    private static java.net.URI toUri(URL url) throws URISyntaxException {
        return url.toURI();
    }

    /** @return whether the longest mount point containing {@code dir} is mounted noexec (Linux) */
    public static boolean isNoExec(Path dir) {
        try {
            Path abs = dir.toAbsolutePath().normalize();
            String best = "";
            boolean noexec = false;
            for (String line : Files.readAllLines(Paths.get("/proc/self/mounts"))) {
                String[] f = line.split(" ");
                if (f.length < 4) {
                    continue;
                }
                String mnt = f[1].replace("\\040", " ");
                if (abs.startsWith(mnt) && mnt.length() >= best.length()) {
                    best = mnt;
                    noexec = ("," + f[3] + ",").contains(",noexec,");
                }
            }
            return noexec;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
