package io.jcontainer.machined.internal;

import org.freedesktop.dbus.DBusPath;
import org.freedesktop.dbus.Struct;
import org.freedesktop.dbus.annotations.Position;

/** One {@code (ssso)} entry of machined's {@code ListMachines}: name, class, service, object path. */
public final class MachineEntry extends Struct {
    @Position(0)
    private final String name;
    @Position(1)
    private final String clazz;
    @Position(2)
    private final String service;
    @Position(3)
    private final DBusPath path;

    public MachineEntry(String name, String clazz, String service, DBusPath path) {
        this.name = name;
        this.clazz = clazz;
        this.service = service;
        this.path = path;
    }

    public String getName() {
        return name;
    }

    public String getClazz() {
        return clazz;
    }

    public String getService() {
        return service;
    }

    public DBusPath getPath() {
        return path;
    }
}
