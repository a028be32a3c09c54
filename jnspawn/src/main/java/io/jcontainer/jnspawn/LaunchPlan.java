package io.jcontainer.jnspawn;

import io.jcontainer.jnspawn.settings.BindSpec;
import io.jcontainer.jnspawn.settings.Network;
import io.jcontainer.jnspawn.settings.PortMapping;
import io.jcontainer.jnspawn.settings.TmpfsSpec;
import java.nio.file.Path;
import java.util.List;

/**
 * Everything jnspawn decided about one container start: the root, the namespaces, the payload.
 *
 * <p>Made by {@link LaunchPlanner} from the command line and the container file, turned into exec
 * stage operations by {@link io.jcontainer.jnspawn.internal.exec.PlanCompiler}, run by
 * {@link Launcher}.
 *
 * @param userNsBase  first host uid/gid of the user namespace (unsigned)
 * @param userNsRange number of ids it maps, 0 for no user namespace
 * @param capabilities the capability numbers the container keeps, as a bit mask
 * @param pty         whether the console is a pty relayed by the exec stage (else stdio is inherited)
 * @param deviceCgroup whether jnspawn confines the container to the allowed devices with a cgroup
 * @param handOver     systemd takes the container over once it runs (else jnspawn stays in the
 *                     foreground, and the container dies with it)
 * @param ports        published ports ({@link Network#PRIVATE} only)
 * @param notifyReady  {@code NotifyReady=yes} under systemd: the payload sends READY=1 itself (the
 *                     host's {@code $NOTIFY_SOCKET} is among the binds, {@code NOTIFY_SOCKET} in the env)
 */
public record LaunchPlan(
        String machine,
        Root root,
        String hostname,
        List<String> argv,
        List<String> env,
        String workingDirectory,
        int uid,
        int gid,
        List<Integer> groups,
        List<BindSpec> binds,
        List<TmpfsSpec> tmpfs,
        int userNsBase,
        int userNsRange,
        long capabilities,
        boolean noNewPrivileges,
        int killSignal,
        boolean boot,
        Network network,
        boolean pty,
        boolean deviceCgroup,
        boolean handOver,
        List<PortMapping> ports,
        boolean notifyReady) {

    public LaunchPlan {
        ports = List.copyOf(ports);
        argv = List.copyOf(argv);
        env = List.copyOf(env);
        groups = List.copyOf(groups);
        binds = List.copyOf(binds);
        tmpfs = List.copyOf(tmpfs);
    }

    /** A plan without published ports. */
    public LaunchPlan(String machine, Root root, String hostname, List<String> argv, List<String> env,
            String workingDirectory, int uid, int gid, List<Integer> groups, List<BindSpec> binds, List<TmpfsSpec> tmpfs,
            int userNsBase, int userNsRange, long capabilities, boolean noNewPrivileges, int killSignal, boolean boot,
            Network network, boolean pty, boolean deviceCgroup, boolean handOver) {
        this(machine, root, hostname, argv, env, workingDirectory, uid, gid, groups, binds, tmpfs, userNsBase, userNsRange,
                capabilities, noNewPrivileges, killSignal, boot, network, pty, deviceCgroup, handOver, List.of(), false);
    }

    /** A plan whose payload does not send READY=1 itself. */
    public LaunchPlan(String machine, Root root, String hostname, List<String> argv, List<String> env,
            String workingDirectory, int uid, int gid, List<Integer> groups, List<BindSpec> binds, List<TmpfsSpec> tmpfs,
            int userNsBase, int userNsRange, long capabilities, boolean noNewPrivileges, int killSignal, boolean boot,
            Network network, boolean pty, boolean deviceCgroup, boolean handOver, List<PortMapping> ports) {
        this(machine, root, hostname, argv, env, workingDirectory, uid, gid, groups, binds, tmpfs, userNsBase, userNsRange,
                capabilities, noNewPrivileges, killSignal, boot, network, pty, deviceCgroup, handOver, ports, false);
    }

    /** This plan with {@code first} bound before its own binds (so that the user's win). */
    public LaunchPlan withBindsFirst(List<BindSpec> first) {
        List<BindSpec> all = new java.util.ArrayList<>(first);
        all.addAll(binds);
        return new LaunchPlan(machine, root, hostname, argv, env, workingDirectory, uid, gid, groups, all, tmpfs,
                userNsBase, userNsRange, capabilities, noNewPrivileges, killSignal, boot, network, pty, deviceCgroup,
                handOver, ports, notifyReady);
    }

    public boolean userNamespace() {
        return userNsRange > 0;
    }

    /**
     * The container's root file system.
     *
     * @param lowers read-only layers, bottom-most first; empty for a plain directory root
     * @param upper  the writable directory (a plain root, or the overlay's upper dir); null when
     *               ephemeral or read-only layers only
     * @param work   the overlay's work directory, on the same file system as {@code upper}
     * @param ephemeral changes go to a tmpfs and vanish at exit
     * @param readOnly  the root is mounted read-only
     */
    public record Root(List<Path> lowers, Path upper, Path work, boolean ephemeral, boolean readOnly) {
        public Root {
            lowers = List.copyOf(lowers);
        }

        /** A root whose overlay work directory, if it needs one, is {@code .#NAME.work} beside the upper dir. */
        public Root(List<Path> lowers, Path upper, boolean ephemeral, boolean readOnly) {
            this(lowers, upper, !lowers.isEmpty() && upper != null && !ephemeral
                    ? upper.resolveSibling(".#" + upper.getFileName() + ".work") : null, ephemeral, readOnly);
        }

        /** Whether the root is an overlayfs (else a bind mount of {@link #upper}). */
        public boolean overlay() {
            return !lowers.isEmpty();
        }

        /** The directories to look into for files of the image, top-most first. */
        public List<Path> searchOrder() {
            java.util.ArrayList<Path> out = new java.util.ArrayList<>();
            if (upper != null) {
                out.add(upper);
            }
            for (int i = lowers.size() - 1; i >= 0; i--) {
                out.add(lowers.get(i));
            }
            return out;
        }
    }
}
