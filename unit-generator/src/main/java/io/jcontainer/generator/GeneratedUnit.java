package io.jcontainer.generator;

import java.util.List;

/**
 * What one container file becomes: the drop-in for {@code jcontainer@NAME.service} and the
 * dependency links that stand in for its {@code [Install]} section.
 *
 * <p>Paths are relative to the generator's output directory. Callers must not rely on
 * {@code equals}/{@code toString} of this record on the generator's start path: a record's
 * generated methods bootstrap through invokedynamic, which costs start time.
 *
 * @param machine the container's name, which is the unit's instance name
 * @param source  the container file, as {@code SourcePath=} names it
 * @param dropIn  the text of {@link #dropInPath()}, starting with {@link ContainerUnitConverter#HEADER}
 * @param links   one link per {@code WantedBy=}/{@code RequiredBy=}/{@code UpheldBy=} unit, in file order
 * @param units   whole units of the container beside its drop-in (the health check's timer and oneshot)
 */
public record GeneratedUnit(String machine, String source, String dropIn, List<Link> links, List<File> units) {

    public GeneratedUnit {
        links = List.copyOf(links);
        units = List.copyOf(units);
    }

    /**
     * A file the generator writes: its path relative to the output directory and its text.
     *
     * @param path {@code jcontainer@NAME.service.d/50-container.conf}, {@code jcontainer-healthcheck@NAME.timer}
     */
    public record File(String path, String text) {
    }

    /** The drop-in, then {@link #units}: every file to write, in order. */
    public List<File> files() {
        List<File> files = new java.util.ArrayList<>(units.size() + 1);
        files.add(new File(dropInPath(), dropIn));
        files.addAll(units);
        return files;
    }

    /** {@code jcontainer@NAME.service}. */
    public String unitName() {
        return ContainerUnitConverter.unitName(machine);
    }

    /** {@code jcontainer@NAME.service.d/50-container.conf}. */
    public String dropInPath() {
        return unitName() + ".d/" + ContainerUnitConverter.DROP_IN_NAME;
    }

    /** How a unit of {@code [Install]} depends on the container: the directory suffix it gets. */
    public enum Dependency {
        WANTS("WantedBy", ".wants"),
        REQUIRES("RequiredBy", ".requires"),
        UPHOLDS("UpheldBy", ".upholds");

        private final String installKey;
        private final String suffix;

        Dependency(String installKey, String suffix) {
            this.installKey = installKey;
            this.suffix = suffix;
        }

        /** The [Install] key that asks for it: {@code WantedBy}. */
        public String installKey() {
            return installKey;
        }

        /** The directory suffix systemd reads: {@code .wants}. */
        public String suffix() {
            return suffix;
        }
    }

    /**
     * A link {@code UNIT.wants/jcontainer@NAME.service} pointing at the template unit, as
     * {@code systemctl enable} would make it in {@code /etc}.
     *
     * @param unit       the unit that depends on the container, {@code machines.target}
     * @param dependency how it depends on it
     */
    public record Link(String unit, Dependency dependency) {

        /** The link's path relative to the output directory, given the container's unit name. */
        public String path(String containerUnit) {
            return unit + dependency.suffix() + '/' + containerUnit;
        }
    }
}
