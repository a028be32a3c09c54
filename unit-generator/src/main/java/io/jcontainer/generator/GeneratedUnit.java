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
 */
public record GeneratedUnit(String machine, String source, String dropIn, List<Link> links) {

    public GeneratedUnit {
        links = List.copyOf(links);
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
