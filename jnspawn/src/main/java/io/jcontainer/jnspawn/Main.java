package io.jcontainer.jnspawn;

import io.jcontainer.jnspawn.internal.exec.ExecProtocol;
import io.jcontainer.jnspawn.internal.plan.PlanInputs;
import io.jcontainer.jnspawn.settings.SettingsException;
import java.nio.file.Path;

/**
 * {@code jnspawn}: runs one container in the foreground, like {@code systemd-nspawn --register=no}.
 *
 * <p>Thin on purpose: parse, plan, launch; one line on stderr and exit status 125 for anything
 * that goes wrong before the container runs, else the container's own exit status.
 */
public final class Main {
    public static final String VERSION = "0.1.0";

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        try {
            JnspawnOptions options = JnspawnOptions.parse(args);
            if (options.help) {
                System.out.println(JnspawnOptions.USAGE);
                return 0;
            }
            if (options.version) {
                System.out.println("jnspawn " + VERSION);
                return 0;
            }
            if (options.cleanup) {
                if (options.machine == null) {
                    throw new LaunchException("--cleanup needs -M/--machine.");
                }
                Launcher.fromSystemProperties(Launcher.MachineRegistration.NONE).cleanUp(options.machine);
                return 0;
            }
            if (options.exec) {
                if (options.dryRun) {
                    System.out.print(ContainerExec.fromSystemProperties().plan(options).describe());
                    return 0;
                }
                return ContainerExec.fromSystemProperties().run(options);
            }
            if (options.planAll) {
                return PlanFile.planAll(LaunchPlanner.forHost().searchDirs()) ? 0 : ExecProtocol.EXIT_SETUP_FAILED;
            }
            if (options.plan) {
                if (options.machine == null) {
                    throw new LaunchException("--plan needs -M/--machine.");
                }
                System.out.println("jnspawn: " + PlanFile.planAndWrite(options.machine).describe(options.machine));
                return 0;
            }
            // A start of exactly "-M NAME" writes the plan of the next one (bin/jnspawn runs it without a JVM). Not
            // under systemd: a plan there is JVM only (the stage does no hand-over yet), and planning costs ~15 ms
            // of CPU per start.
            boolean writePlan = !options.dryRun && PlanFile.eligible(args) && System.getenv("NOTIFY_SOCKET") == null;
            if (writePlan) {
                PlanInputs.start();
            }
            LaunchPlan plan = LaunchPlanner.forHost().plan(options);
            if (writePlan) {
                try {
                    PlanFile.write(plan);
                } catch (LaunchException | RuntimeException | LinkageError e) {
                    // Never a reason for this start to fail: the next one runs the JVM too.
                    System.err.println("jnspawn: " + (e instanceof LaunchException ? e.getMessage() : e.toString())
                            + "; the next start runs the JVM too");
                } finally {
                    PlanInputs.stop();
                }
            }
            if (options.dryRun) {
                Path staging = Path.of(System.getProperty("jcontainer.runtime", "/run/jcontainer"),
                        "jnspawn." + plan.machine() + ".XXXXXX");
                System.out.print(Launcher.compile(plan, staging).describe());
                return 0;
            }
            boolean underSystemd = System.getenv("NOTIFY_SOCKET") != null;
            return Launcher.fromSystemProperties(options.register && underSystemd
                    ? new MachinedRegistration() : Launcher.MachineRegistration.NONE).run(plan);
        } catch (SettingsException | LaunchException e) {
            System.err.println("jnspawn: " + e.getMessage());
            return ExecProtocol.EXIT_SETUP_FAILED;
        }
    }
}
