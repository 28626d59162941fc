/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.cpuopv.internal.NativeCalls;
import org.cpuopv.internal.LibraryLoadFailure;
import org.cpuopv.internal.NativeLibrary;
import org.cpuopv.internal.Errno;

/** Loading libcpuopv the way users get it, and what they are told when it fails. */
class NativeLibraryTest {
    @TempDir
    Path tmp;

    private static byte[] bundledLibrary() throws Exception {
        URL url = NativeLibrary.class.getClassLoader().getResource(NativeLibrary.RESOURCE);
        assertNotNull(url, "the build must put " + NativeLibrary.RESOURCE + " on the class path");
        try (InputStream in = url.openStream()) {
            return in.readAllBytes();
        }
    }

    /** A jar holding only the library, as in the shipped artifact. */
    private Path jarWithLibrary() throws Exception {
        Path jar = tmp.resolve("cpu-opv-test.jar");
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out)) {
            j.putNextEntry(new JarEntry(NativeLibrary.RESOURCE));
            j.write(bundledLibrary());
            j.closeEntry();
        }
        return jar;
    }

    private static void assumeNotOnLibraryPath() {
        for (String dir : System.getProperty("java.library.path", "").split(File.pathSeparator)) {
            assumeFalse(!dir.isEmpty() && Files.exists(Paths.get(dir, "libcpuopv.so")),
                    "libcpuopv.so is on java.library.path here");
        }
    }

    @Test
    void loadsFromTheClassPathWithoutJavaLibraryPath() {
        assertTrue(NativeLibrary.isLoaded(), () -> "not loaded: " + NativeLibrary.failure());
        assertNull(NativeLibrary.failure());
        assertEquals(NativeCalls.ABI_VERSION, NativeCalls.abiVersion());
    }

    @Test
    void extractsFromAJarIntoAPrivateDirectoryAndCleansUp() throws Exception {
        assumeNotOnLibraryPath();
        assumeFalse(NativeLibrary.isNoExec(tmp), "the temp directory is noexec here (see the next test)");
        Path jar = jarWithLibrary();
        Path work = tmp.resolve("work");
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
            URL url = loader.getResource(NativeLibrary.RESOURCE);
            assertEquals("jar", url.getProtocol());
            Path extracted = NativeLibrary.extract(url, work);
            assertArrayEquals(bundledLibrary(), Files.readAllBytes(extracted));
            assertTrue(Files.isExecutable(extracted));
            assertTrue(extracted.getParent().getFileName().toString().startsWith("cpuopv-native-"));
            Files.delete(extracted);
            Files.delete(extracted.getParent());
            // the whole path: java.library.path misses, the jar's copy is extracted, loaded, deleted
            assertNull(NativeLibrary.load(null, work.toString(), loader));
            try (Stream<Path> left = Files.list(work)) {
                assertEquals(0, left.count(), "extraction directory left behind");
            }
        }
        assertEquals(NativeCalls.ABI_VERSION, NativeCalls.abiVersion());
    }

    @Test
    void oneExceptionListsEveryAttemptWithItsCause() throws Exception {
        assumeNotOnLibraryPath();
        try (URLClassLoader empty = new URLClassLoader(new URL[0], null)) {
            LibraryLoadFailure e = NativeLibrary.load("/nonexistent/libcpuopv.so",
                    tmp.toString(), empty);
            assertNotNull(e);
            String m = e.getMessage();
            for (String part : new String[] {"-Dcpuopv.native.path=/nonexistent/libcpuopv.so",
                "java.library.path=", "META-INF/native/linux-x86_64/libcpuopv.so",
                "is the cpu-opv jar on the class path", "mvn package"}) {
                assertTrue(m.contains(part), "message '" + m + "' lacks '" + part + "'");
            }
            assertEquals(2, e.getSuppressed().length, "one cause per attempt");
            for (Throwable t : e.getSuppressed()) {
                assertTrue(t instanceof UnsatisfiedLinkError, t.toString());
            }
        }
    }

    @Test
    void aNoexecExtractionDirectoryIsNamedInTheHint() throws Exception {
        assumeNotOnLibraryPath();
        String noexecMount = null;
        for (String line : Files.readAllLines(Paths.get("/proc/self/mounts"))) {
            String[] f = line.split(" ");
            if (f.length > 3 && ("," + f[3] + ",").contains(",noexec,") && Files.isDirectory(Paths.get(f[1]))) {
                noexecMount = f[1];
                break;
            }
        }
        assumeTrue(noexecMount != null, "no noexec mount here");
        assertTrue(NativeLibrary.isNoExec(Paths.get(noexecMount)));
        Path jar = jarWithLibrary();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
            LibraryLoadFailure e = NativeLibrary.load(null, noexecMount, loader);
            assertNotNull(e);
            assertTrue(e.getMessage().contains("noexec"), e.getMessage());
            assertTrue(e.getMessage().contains("-Dcpuopv.native.workdir"), e.getMessage());
        }
    }

    @Test
    void withoutTheDeviceTheKernelBackendSaysWhatToDo() {
        assumeFalse(TestBackends.kernelInScope(), "the kernel backend is available here");
        BackendUnavailableException why = CpuOpv.kernelUnavailabilityCause();
        assertTrue(why instanceof DeviceUnavailableException, String.valueOf(why));
        DeviceUnavailableException d = (DeviceUnavailableException) why;
        assertEquals(Errno.ENOSYS, d.errno());
        assertTrue(d.getMessage().contains("/dev/cpu_opv"), d.getMessage());
        assertTrue(d.getMessage().contains("module is not loaded"), d.getMessage());
        assertTrue(d.getMessage().contains("Backend.EMULATED"), d.getMessage());
        DeviceUnavailableException thrown = assertThrows(DeviceUnavailableException.class,
                () -> CpuOpv.open(Backend.KERNEL));
        assertEquals(d.getMessage(), thrown.getMessage());
        assertTrue(!CpuOpv.isKernelAvailable());
        try (CpuOpv auto = CpuOpv.open(Backend.AUTO)) {
            // without the module: rseq where glibc registered it, else the plain emulation
            assertEquals(CpuOpv.rseqUnavailabilityReason() == null ? Backend.RSEQ : Backend.EMULATED,
                    auto.backend(), auto.backendReason());
        }
    }

    @Test
    void theCApiAnswersEnosysWithoutTheDevice() {
        assumeFalse(Files.exists(Paths.get("/dev/cpu_opv")));
        assertEquals(-Errno.ENOSYS, NativeCalls.exec(0, 0, -1, 1));
        assertEquals(Errno.ENOENT, NativeCalls.deviceOpenErrno(), "open's own errno is kept");
    }

    @Test
    void autoPicksTheKernelWhenItIsThere() {
        assumeTrue(TestBackends.kernelInScope());
        try (CpuOpv auto = CpuOpv.open(Backend.AUTO)) {
            assertEquals(Backend.KERNEL, auto.backend());
        }
    }
}
