package io.jcontainer.cli;

import io.jcontainer.image.ImageConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * An image's execution defaults while a build (or {@code commit -c}) changes them, instruction by instruction:
 * ENV, WORKDIR, USER, CMD, ENTRYPOINT, EXPOSE, LABEL, STOPSIGNAL, HEALTHCHECK, as the Dockerfile reference defines them.
 */
final class BuildConfig {
    private static final Pattern PORT = Pattern.compile("(\\d{1,5})(?:/(tcp|udp|sctp))?");
    private static final Pattern SIGNAL = Pattern.compile("(SIG)?[A-Z][A-Z0-9+]*|\\d{1,2}");

    List<String> entrypoint;
    List<String> cmd;
    /** ENV in order, name -> value. */
    final Map<String, String> env = new LinkedHashMap<>();
    String workingDir;
    String user;
    String stopSignal;
    /** HEALTHCHECK, the base image's until one says otherwise (NONE included); null: none. */
    ImageConfig.Healthcheck healthcheck;
    final TreeSet<String> exposedPorts = new TreeSet<>();
    final Map<String, String> labels = new LinkedHashMap<>();
    /** Whether this build set CMD: ENTRYPOINT resets only an inherited CMD (Dockerfile reference, ENTRYPOINT). */
    boolean cmdSet;

    BuildConfig(ImageConfig.Defaults d) {
        entrypoint = d.entrypoint();
        cmd = d.cmd();
        for (String e : d.env()) {
            int eq = e.indexOf('=');
            env.put(eq < 0 ? e : e.substring(0, eq), eq < 0 ? "" : e.substring(eq + 1));
        }
        workingDir = d.workingDir();
        user = d.user();
        stopSignal = d.stopSignal();
        healthcheck = d.healthcheck();
        exposedPorts.addAll(d.exposedPorts());
        labels.putAll(d.labels());
    }

    ImageConfig.Defaults defaults() {
        List<String> e = new ArrayList<>();
        env.forEach((k, v) -> e.add(k + "=" + v));
        return new ImageConfig.Defaults(entrypoint, cmd, e, workingDir, user, stopSignal, new ArrayList<>(exposedPorts),
                labels, healthcheck);
    }

    /** The working directory as RUN, COPY and a relative WORKDIR see it. */
    String cwd() {
        return workingDir == null || workingDir.isEmpty() ? "/" : workingDir;
    }

    /**
     * Applies a metadata instruction (not FROM, RUN, COPY, ADD, ARG); {@code vars} expand variables.
     *
     * @return whether the instruction was one of those
     */
    boolean apply(Dockerfile.Instruction in, Map<String, String> vars) throws CliException {
        switch (in.keyword()) {
            case "ENV" -> Dockerfile.keyValues(in, vars).forEach(kv -> env.put(kv[0], kv[1]));
            case "LABEL" -> Dockerfile.keyValues(in, vars).forEach(kv -> labels.put(kv[0], kv[1]));
            case "WORKDIR" -> {
                String dir = Dockerfile.substitute(in.args(), vars).strip();
                workingDir = java.nio.file.Path.of(cwd()).resolve(dir).normalize().toString();
            }
            case "USER" -> user = Dockerfile.substitute(in.args(), vars).strip();
            case "STOPSIGNAL" -> {
                String s = Dockerfile.substitute(in.args(), vars).strip();
                if (!SIGNAL.matcher(s).matches()) {
                    throw in.error("invalid STOPSIGNAL '" + s + "'.");
                }
                stopSignal = s;
            }
            case "HEALTHCHECK" -> healthcheck = DockerHealthcheck.parse(in);
            case "CMD" -> {
                cmd = command(in);
                cmdSet = true;
            }
            case "ENTRYPOINT" -> {
                entrypoint = command(in);
                if (!cmdSet) {
                    cmd = List.of();
                }
            }
            case "EXPOSE" -> {
                for (String p : Dockerfile.words(in.args(), vars, true)) {
                    var m = PORT.matcher(p.toLowerCase(java.util.Locale.ROOT));
                    if (!m.matches() || Integer.parseInt(m.group(1)) == 0 || Integer.parseInt(m.group(1)) > 65535) {
                        throw in.error("invalid port '" + p + "' (expected PORT[/tcp|udp|sctp]).");
                    }
                    exposedPorts.add(Integer.parseInt(m.group(1)) + "/" + (m.group(2) == null ? "tcp" : m.group(2)));
                }
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    /** CMD, ENTRYPOINT and RUN: the exec form as is, the shell form through {@code /bin/sh -c}. */
    static List<String> command(Dockerfile.Instruction in) {
        List<String> exec = in.execForm();
        return exec != null ? exec : List.of("/bin/sh", "-c", in.args());
    }
}
