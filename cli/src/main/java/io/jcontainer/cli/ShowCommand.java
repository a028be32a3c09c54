package io.jcontainer.cli;

import io.jcontainer.generator.ContainerUnitConverter;
import io.jcontainer.machined.MachineProperties;
import io.jcontainer.machined.UnitProperties;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code jcontainer show NAME [--json]}: a container's properties, for scripts (like {@code machinectl show}). */
@Command(name = "show", mixinStandardHelpOptions = true,
        description = "Prints a container's properties as KEY=VALUE lines, or as JSON: its file, image, addresses, unit state "
            + "(jcontainer@NAME.service) and machine; unknown parts are null with the reason.",
        footer = {"", "Example:", "  jcontainer show web --json | jq .unit.activeState"})
final class ShowCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "The container (its file is NAME.container).")
    String name;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Host host = main.host();
        ContainerReport r;
        try (ContainerStates states = ContainerStates.open(host)) {
            r = ContainerReport.collect(host, name, states);
        }
        PrintWriter out = spec.commandLine().getOut();
        Map<String, Object> o = toMap(r);
        if (json) {
            JsonOutput.print(out, o);
            return ExitCodePolicy.SUCCESS;
        }
        flatten("", o, out);
        out.flush();
        return ExitCodePolicy.SUCCESS;
    }

    static Map<String, Object> toMap(ContainerReport r) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("name", r.name());
        o.put("file", r.file().toString());
        o.put("fileProblem", r.fileProblem());
        o.put("image", r.image());
        o.put("imageDigest", r.storedImage() == null ? null : r.storedImage().manifestDigest().toString());
        o.put("addresses", r.addresses());
        o.put("addressesProblem", r.addressesProblem());
        Map<String, Object> unit = new LinkedHashMap<>();
        unit.put("id", ContainerUnitConverter.unitName(r.name()));
        UnitProperties u = r.unit().properties();
        if (u != null) {
            unit.put("loadState", u.loadState());
            unit.put("activeState", u.activeState());
            unit.put("subState", u.subState());
            unit.put("mainPid", u.mainPid());
            unit.put("result", u.result());
            unit.put("execMainCode", u.execMainCode());
            unit.put("execMainStatus", u.execMainStatus());
        }
        unit.put("problem", r.unit().problem());
        o.put("unit", unit);
        Map<String, Object> machine = new LinkedHashMap<>();
        MachineProperties m = r.machine().properties();
        machine.put("registered", m != null ? Boolean.TRUE : r.machine().absent() ? Boolean.FALSE : null);
        if (m != null) {
            machine.put("state", m.state());
            machine.put("id", m.id());
            machine.put("class", m.machineClass());
            machine.put("service", m.service());
            machine.put("unit", m.unit());
            machine.put("leader", m.leader());
            machine.put("rootDirectory", m.rootDirectory());
            machine.put("networkInterfaces", m.networkInterfaces());
            machine.put("since", m.timestamp() == null ? null : m.timestamp().toString());
        }
        machine.put("problem", r.machine().problem());
        o.put("machine", machine);
        return o;
    }

    /** KEY=VALUE lines, nested keys joined with a dot ({@code unit.activeState=active}); unknown values empty. */
    @SuppressWarnings("unchecked")
    static void flatten(String prefix, Map<String, Object> map, PrintWriter out) {
        for (Map.Entry<String, Object> e : map.entrySet()) {
            String key = prefix + e.getKey();
            if (e.getValue() instanceof Map<?, ?> nested) {
                flatten(key + ".", (Map<String, Object>) nested, out);
            } else if (e.getValue() instanceof Iterable<?> list) {
                StringBuilder sb = new StringBuilder();
                list.forEach(x -> sb.append(sb.length() == 0 ? "" : " ").append(x));
                out.println(key + "=" + sb);
            } else {
                out.println(key + "=" + (e.getValue() == null ? "" : e.getValue()));
            }
        }
    }
}
