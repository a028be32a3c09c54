package io.jcontainer.machined.internal;

import io.jcontainer.machined.MachinedException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.freedesktop.dbus.types.UInt32;
import org.freedesktop.dbus.types.UInt64;
import org.freedesktop.dbus.types.Variant;

/**
 * Typed reads of D-Bus property values, checking each value's signature against the one the service declares.
 *
 * <p>A value of another type means the other side is not the service we think it is (or a new version changed
 * a type): that is an error naming the object and property, never a silent cast.
 */
public final class PropertyValues {
    private final String owner;
    private final Map<String, Variant<?>> values;

    /**
     * @param owner how errors name the object: {@code "machine 'web'"}
     */
    public PropertyValues(String owner, Map<String, Variant<?>> values) {
        this.owner = owner;
        this.values = values;
    }

    public String string(String name) throws MachinedException {
        return (String) value(name, "s");
    }

    /** A {@code u} that holds a PID or count; values above {@link Integer#MAX_VALUE} are refused. */
    public int uint32(String name) throws MachinedException {
        long value = ((UInt32) value(name, "u")).longValue();
        if (value > Integer.MAX_VALUE) {
            throw new MachinedException("Property '" + name + "' of " + owner + " is out of range: " + value);
        }
        return (int) value;
    }

    public int int32(String name) throws MachinedException {
        return (Integer) value(name, "i");
    }

    public long uint64(String name) throws MachinedException {
        return ((UInt64) value(name, "t")).longValue();
    }

    public byte[] bytes(String name) throws MachinedException {
        Object value = value(name, "ay");
        if (value instanceof byte[] bytes) {
            return bytes.clone();
        }
        List<?> list = asList(name, value);
        byte[] bytes = new byte[list.size()];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = ((Number) list.get(i)).byteValue();
        }
        return bytes;
    }

    public List<Integer> int32s(String name) throws MachinedException {
        Object value = value(name, "ai");
        List<Integer> result = new ArrayList<>();
        if (value instanceof int[] ints) {
            for (int i : ints) {
                result.add(i);
            }
        } else {
            for (Object element : asList(name, value)) {
                result.add(((Number) element).intValue());
            }
        }
        return Collections.unmodifiableList(result);
    }

    private List<?> asList(String name, Object value) throws MachinedException {
        if (value instanceof List<?> list) {
            return list;
        }
        if (value instanceof Object[] array) {
            return List.of(array);
        }
        throw new MachinedException("Property '" + name + "' of " + owner + " has unexpected Java type "
                + value.getClass().getName());
    }

    private Object value(String name, String signature) throws MachinedException {
        Variant<?> variant = values.get(name);
        if (variant == null) {
            throw new MachinedException("Property '" + name + "' of " + owner + " is missing");
        }
        if (!signature.equals(variant.getSig())) {
            throw new MachinedException("Property '" + name + "' of " + owner + " has D-Bus type '"
                    + variant.getSig() + "', expected '" + signature + "'");
        }
        return variant.getValue();
    }
}
