package io.jcontainer.image.registry;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A reverse proxy in front of a registry, over plain sockets so that it can misbehave like a network: it logs
 * every request (method, path, Range), can cut the connection (TCP reset) part-way into a blob's body a set
 * number of times, and can hide {@code Range} from the registry (a server that ignores it). One request per
 * connection ({@code Connection: close}).
 */
final class TestProxy implements AutoCloseable {
    private static final Set<String> HOP_HEADERS = Set.of("host", "connection", "content-length", "upgrade", "http2-settings",
            "expect", "te", "keep-alive", "transfer-encoding");

    record Request(String method, String path, String range) {
        boolean isBlobGet() {
            return method.equals("GET") && path.contains("/blobs/");
        }
    }

    private final int upstream;
    private final ServerSocket server;
    private final HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .version(HttpClient.Version.HTTP_1_1).build();
    final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
    /** Blob GETs whose path contains this are cut after {@link #cutAfter} body bytes, {@link #cuts} times. */
    volatile String cutPath;
    volatile long cutAfter;
    /** After the first cut, cut after this many bytes instead (0: before any body byte); negative: keep cutAfter. */
    volatile long cutAfterThen = -1;
    private final java.util.concurrent.atomic.AtomicBoolean cutOnce = new java.util.concurrent.atomic.AtomicBoolean();
    final AtomicInteger cuts = new AtomicInteger();
    /** Drop the Range header on the way to the registry, which then answers 200 with the whole blob. */
    volatile boolean ignoreRange;
    /**
     * Blob GETs whose path contains this get their headers and the body up to offset {@link #stallAfter} of the blob
     * (nothing more when a Range starts there), then nothing, the connection held open (a registry or middlebox that hangs), until the client goes away.
     */
    volatile String stallPath;
    volatile long stallAfter;
    /** Blob bodies are sent at about this many bytes per second; 0 for full speed. */
    volatile long throttle;

    TestProxy(int upstreamPort) throws IOException {
        this.upstream = upstreamPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::acceptLoop, "test-proxy");
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return server.getLocalPort();
    }

    String host() {
        return "127.0.0.1:" + port();
    }

    /** Back to a well-behaved proxy with an empty log. */
    void reset() {
        requests.clear();
        cutPath = null;
        cuts.set(0);
        cutAfterThen = -1;
        cutOnce.set(false);
        ignoreRange = false;
        stallPath = null;
        throttle = 0;
    }

    List<Request> blobGets() {
        synchronized (requests) {
            return requests.stream().filter(Request::isBlobGet).toList();
        }
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                Thread t = new Thread(() -> handle(s), "test-proxy-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void handle(Socket socket) {
        try (socket) {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            List<String> head = readHead(in);
            if (head.isEmpty()) {
                return;
            }
            String[] requestLine = head.get(0).split(" ");
            if (requestLine.length != 3) {
                return;
            }
            String method = requestLine[0];
            String path = requestLine[1];
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + upstream + path));
            String range = null;
            long contentLength = 0;
            for (String line : head.subList(1, head.size())) {
                int colon = line.indexOf(':');
                String name = line.substring(0, colon).trim();
                String value = line.substring(colon + 1).trim();
                String lower = name.toLowerCase(Locale.ROOT);
                if (lower.equals("content-length")) {
                    contentLength = Long.parseLong(value);
                }
                if (lower.equals("range")) {
                    range = value;
                    if (ignoreRange) {
                        continue;
                    }
                }
                if (!HOP_HEADERS.contains(lower)) {
                    b.header(name, value);
                }
            }
            // distribution writes absolute upload Locations from the Host it sees, or from X-Forwarded-Host
            b.header("X-Forwarded-Host", host());
            byte[] body = in.readNBytes((int) contentLength);
            b.method(method, body.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
            Request request = new Request(method, path, range);
            requests.add(request);
            HttpResponse<InputStream> r = client.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            OutputStream out = socket.getOutputStream();
            StringBuilder sb = new StringBuilder("HTTP/1.1 ").append(r.statusCode()).append(" X\r\n");
            r.headers().map().forEach((name, values) -> {
                if (!HOP_HEADERS.contains(name.toLowerCase(Locale.ROOT)) || name.equalsIgnoreCase("content-length")) {
                    values.forEach(v -> sb.append(name).append(": ").append(v).append("\r\n"));
                }
            });
            sb.append("Connection: close\r\n\r\n");
            out.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
            try (InputStream responseBody = r.body()) {
                if (method.equals("HEAD")) {
                    return;
                }
                String cut = cutPath;
                if (cut != null && request.isBlobGet() && path.contains(cut) && cuts.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                    long n = cutOnce.getAndSet(true) && cutAfterThen >= 0 ? cutAfterThen : cutAfter;
                    out.write(responseBody.readNBytes((int) n));
                    out.flush();
                    socket.setSoLinger(true, 0); // close with a reset, as a dropped connection looks
                    return;
                }
                String stall = stallPath;
                if (stall != null && request.isBlobGet() && path.contains(stall)) {
                    long from = range != null && r.statusCode() == 206 ? Long.parseLong(range.replaceAll("\\D*(\\d+)-.*", "$1")) : 0;
                    out.write(responseBody.readNBytes((int) Math.max(0, stallAfter - from)));
                    out.flush();
                    while (in.read() >= 0) {
                        // hold the connection open and silent until the client closes it
                    }
                    return;
                }
                if (throttle > 0 && request.isBlobGet()) {
                    byte[] chunk = new byte[(int) Math.max(1, throttle / 20)];
                    int n;
                    while ((n = responseBody.read(chunk)) > 0) {
                        out.write(chunk, 0, n);
                        out.flush();
                        Thread.sleep(50);
                    }
                } else {
                    responseBody.transferTo(out);
                }
            }
            out.flush();
        } catch (IOException | InterruptedException e) {
            // the client went away
        }
    }

    private static List<String> readHead(InputStream in) throws IOException {
        List<String> lines = new ArrayList<>();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                String s = line.toString(StandardCharsets.ISO_8859_1);
                if (s.endsWith("\r")) {
                    s = s.substring(0, s.length() - 1);
                }
                if (s.isEmpty()) {
                    return lines;
                }
                lines.add(s);
                line.reset();
            } else {
                line.write(c);
            }
        }
        return lines;
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
