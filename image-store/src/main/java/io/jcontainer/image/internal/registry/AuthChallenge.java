package io.jcontainer.image.internal.registry;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One {@code WWW-Authenticate} challenge (RFC 7235): a scheme and its parameters, e.g.
 * {@code Bearer realm="https://auth.example.org/token",service="registry",scope="repository:web:pull"}.
 */
public record AuthChallenge(String scheme, Map<String, String> params) {
    public AuthChallenge {
        scheme = scheme.toLowerCase(Locale.ROOT);
        params = Map.copyOf(params);
    }

    public boolean isBearer() {
        return scheme.equals("bearer");
    }

    public boolean isBasic() {
        return scheme.equals("basic");
    }

    public String param(String name) {
        return params.get(name);
    }

    /** Parses every challenge in the given header values; what cannot be parsed is left out. */
    public static List<AuthChallenge> parse(List<String> headerValues) {
        List<AuthChallenge> out = new ArrayList<>();
        for (String value : headerValues) {
            parseOne(value, out);
        }
        return out;
    }

    private static void parseOne(String s, List<AuthChallenge> out) {
        int i = 0;
        int n = s.length();
        String scheme = null;
        Map<String, String> params = new LinkedHashMap<>();
        while (i < n) {
            while (i < n && (s.charAt(i) == ' ' || s.charAt(i) == ',' || s.charAt(i) == '\t')) {
                i++;
            }
            int start = i;
            while (i < n && isTokenChar(s.charAt(i))) {
                i++;
            }
            if (start == i) {
                i++;
                continue;
            }
            String token = s.substring(start, i);
            while (i < n && s.charAt(i) == ' ') {
                i++;
            }
            if (i < n && s.charAt(i) == '=' && scheme != null) {
                i++;
                while (i < n && s.charAt(i) == ' ') {
                    i++;
                }
                StringBuilder v = new StringBuilder();
                if (i < n && s.charAt(i) == '"') {
                    i++;
                    while (i < n && s.charAt(i) != '"') {
                        if (s.charAt(i) == '\\' && i + 1 < n) {
                            i++;
                        }
                        v.append(s.charAt(i++));
                    }
                    i++;
                } else {
                    while (i < n && s.charAt(i) != ',' && s.charAt(i) != ' ') {
                        v.append(s.charAt(i++));
                    }
                }
                params.put(token.toLowerCase(Locale.ROOT), v.toString());
            } else {
                // a new scheme starts (several challenges in one header)
                if (scheme != null) {
                    out.add(new AuthChallenge(scheme, params));
                    params = new LinkedHashMap<>();
                }
                scheme = token;
            }
        }
        if (scheme != null) {
            out.add(new AuthChallenge(scheme, params));
        }
    }

    private static boolean isTokenChar(char c) {
        return c > ' ' && c < 127 && "()<>@,;:\\\"/[]?={} \t".indexOf(c) < 0;
    }
}
