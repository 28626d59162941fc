/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Properties;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code cpu-opv} command (docs/cli.md). Exit codes: 0 ok, 1 failure (a failed vector
 * included), 2 usage error, 3 the answer is "no" (exec: a compare stopped the vector; dump: no
 * vector matched the filter); an error is one line on stderr ({@code CPU_OPV_DEBUG=1} adds the stack trace).
 */
@Command(name = "cpu-opv",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Inspect and drive cpu_opv (per-CPU atomic operation vectors): module state, "
                + "run a vector described in JSON, read recorded dumps, quick benchmark.",
        subcommands = {InfoCommand.class, ExecCommand.class, DumpCommand.class, BenchCommand.class,
            CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:ok", "1:failure (the message says what failed), a vector that ended in EINVAL, EFAULT or EAGAIN",
            "2:usage error", "3:exec: a compare stopped the vector; dump: no vector matched the filter"})
public final class Main implements Runnable {
    private static final java.util.logging.Logger QUIET = java.util.logging.Logger.getLogger("org.cpuopv");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /**
     * Entry point of bin/cpu-opv: exits the JVM with the command's exit code.
     *
     * @param args the command line after {@code cpu-opv}: a subcommand and its options (docs/cli.md)
     */
    public static void main(String[] args) {
        // The CLI prints the backend it used; the library's INFO line about AUTO would be noise.
        QUIET.setLevel(java.util.logging.Level.WARNING);
        System.exit(run(args));
    }

    /**
     * @param args the command line after {@code cpu-opv}, as for {@link #main(String[])}
     * @return the exit code of running the command line (for tests: no System.exit)
     */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    /** @return a configured command line: one-line errors, exit codes 0/1/2 */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            PrintWriter err = cmd.getErr();
            err.println("cpu-opv " + cmd.getCommandName() + ": " + oneLine(e));
            if (System.getenv("CPU_OPV_DEBUG") != null) {
                e.printStackTrace(err);
            }
            err.flush();
            return e instanceof UsageError ? 2 : 1;
        });
        cl.setParameterExceptionHandler((e, args) -> {
            CommandLine cmd = e.getCommandLine();
            PrintWriter err = cmd.getErr();
            err.println("cpu-opv: " + e.getMessage() + " (try: " + cmd.getCommandSpec().qualifiedName() + " --help)");
            err.flush();
            return 2;
        });
        return cl;
    }

    static String oneLine(Throwable e) {
        String m = e.getMessage();
        if (e instanceof Failure || e instanceof UsageError) {
            return m;
        }
        String name = e.getClass().getSimpleName();
        return (m == null ? name : m.contains("\n") ? m.substring(0, m.indexOf('\n')) : m);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is needed: info, exec, dump or bench");
    }

    /** A failure the user can act on: printed as it is, exit 1. */
    static final class Failure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Failure(String message) {
            super(message);
        }

        Failure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Bad input found after parsing (e.g. a malformed exec file is not: that is a Failure). Exit 2. */
    static final class UsageError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageError(String message) {
            super(message);
        }
    }

    /** The jar's version (from Maven's pom.properties) and the loaded module's. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String mine = "unknown (not run from the jar)";
            try (InputStream in = Main.class.getResourceAsStream("/META-INF/maven/org.cpuopv/cpu-opv/pom.properties")) {
                if (in != null) {
                    Properties p = new Properties();
                    p.load(in);
                    mine = p.getProperty("version", mine);
                }
            } catch (IOException e) {
                // keep "unknown"
            }
            String module = Sysfs.system().moduleVersion();
            return new String[] {
                "cpu-opv " + mine,
                "cpu_opv module: " + (module == null ? "not loaded" : module),
                "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")",
            };
        }
    }
}
