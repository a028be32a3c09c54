package io.jcontainer.image.trust;

import io.jcontainer.image.ImageReference;
import java.util.ArrayList;
import java.util.List;

/** Scope matching of the {@code docker} transport: on whole {@code /} components, most specific first. */
final class Scopes {
    private Scopes() {
    }

    /**
     * Whether {@code name} is {@code prefix} or lies below it on whole components: {@code example.com/app} holds
     * {@code example.com/app/x}, never {@code example.com/app-evil}.
     */
    static boolean within(String name, String prefix) {
        return name.equals(prefix) || name.startsWith(prefix) && name.charAt(prefix.length()) == '/';
    }

    /**
     * The scopes that may select requirements for {@code image}, most specific first: the reference with its tag
     * and/or digest, the repository, each parent namespace, the registry, then {@code *.domain} wildcards.
     */
    static List<String> candidates(ImageReference image) {
        List<String> out = new ArrayList<>();
        out.add(image.toString());
        if (image.tag() != null && image.digest() != null) {
            out.add(image.name() + ":" + image.tag());
            out.add(image.name() + "@" + image.digest());
        }
        String name = image.name();
        for (int slash = name.length(); slash > 0; slash = name.lastIndexOf('/', slash - 1)) {
            out.add(name.substring(0, slash));
        }
        String host = image.registry();
        int colon = host.indexOf(':');
        String bare = colon < 0 ? host : host.substring(0, colon);
        for (int dot = bare.indexOf('.'); dot >= 0; dot = bare.indexOf('.', dot + 1)) {
            out.add("*" + bare.substring(dot));
        }
        return out;
    }
}
