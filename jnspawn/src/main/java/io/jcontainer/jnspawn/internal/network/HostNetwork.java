package io.jcontainer.jnspawn.internal.network;

import io.jcontainer.jnspawn.LaunchException;
import io.jcontainer.jnspawn.settings.PortMapping;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The host side of {@code Network=private}: the bridge, one veth pair per container, address
 * leases, and an nftables table of our own for NAT and published ports.
 *
 * <p>Everything is done with iproute2's {@code ip -batch} (host side, then inside the container's
 * network namespace through {@code nsenter}) and one {@code nft -f} transaction: three short
 * processes per start. See docs/networking.md for why not netlink from Java.
 *
 * <p>Leases are files {@code RUNTIME/net/BRIDGE/ADDRESS} naming the machine, the container's PID 1
 * (with its start time, so a recycled pid is not taken for it) and the published ports; every
 * change happens under an exclusive lock on {@code RUNTIME/net/BRIDGE/.lock}. A lease whose holder
 * is gone is stale: the next start and {@code jnspawn --cleanup} remove it and its map elements (by
 * key; a start that finds stale leases, and {@code jcontainer cleanup}, delete every element whose
 * address has no lease). The veth goes by itself when the container's network
 * namespace dies. When the last lease goes, so do the table and the bridge.
 */
public final class HostNetwork {
    /** The container's end of the veth pair, as systemd-nspawn names it. */
    public static final String CONTAINER_INTERFACE = "host0";
    public static final String HOST_INTERFACE_PREFIX = "vj-";
    /** A map element as nft lists it; the protocol is a number where /etc/protocols is missing. */
    private static final Pattern ELEMENT = Pattern.compile(
            "\\b(tcp|udp|6|17)\\s*\\.\\s*(\\d+)\\s*:\\s*(\\d+\\.\\d+\\.\\d+\\.\\d+)\\s*\\.\\s*(\\d+)");
    /** An element of the map of ports published on one host address: the address, then as {@link #ELEMENT}. */
    private static final Pattern ADDRESS_ELEMENT = Pattern.compile("\\b(\\d+\\.\\d+\\.\\d+\\.\\d+)\\s*\\.\\s*"
            + ELEMENT.pattern().substring(2));
    /** The maps of published ports: on every address (protocol . port), on one (address . protocol . port). */
    static final String PORTS = "ports";
    static final String ADDRESS_PORTS = "addrports";

    private static final Path ROUTES = Path.of("/proc/net/route");

    private final NetworkConfig config;
    private final Path leaseDir;
    /** What {@link #cleanUp} and {@link #sweep} removed, for {@code jcontainer cleanup}. */
    private final List<String> removed = new ArrayList<>();

    public HostNetwork(NetworkConfig config, Path runtimeDir) {
        this.config = config;
        this.leaseDir = runtimeDir.resolve("net").resolve(config.bridge());
    }

    /** What {@link #attach} set up. */
    /** @param address6 the container's IPv6 (ULA) address, or null */
    public record Attachment(String machine, long holder, String address, String address6, String hostInterface,
            int ifindex) {
    }

    /** A lease file's content. */
    record Lease(Path file, String address, String machine, long pid, long startTime, String hostInterface,
            List<PortMapping> ports) {
        boolean holderAlive() {
            return pid > 0 && HostNetwork.startTime(pid) == startTime;
        }
    }

    /**
     * The host side name of the container's veth: {@code vj-NAME}, or past IFNAMSIZ a prefix of
     * the name and a hash of all of it ({@code vj-} + 6 characters + 6 hex digits).
     */
    public static String hostInterfaceName(String machine) {
        String name = HOST_INTERFACE_PREFIX + machine;
        if (name.length() <= NetworkConfig.MAX_IFNAME) {
            return name;
        }
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(machine.getBytes(StandardCharsets.UTF_8));
        return HOST_INTERFACE_PREFIX + machine.substring(0, 6) + String.format("%06x", crc.getValue() & 0xffffff);
    }

    /**
     * Connects the container whose PID 1 is {@code pid} to the bridge: leases an address, makes
     * the veth pair, configures {@code host0} inside, publishes the ports. On failure nothing of
     * it is left.
     */
    public Attachment attach(String machine, long pid, List<PortMapping> ports) throws LaunchException {
        try {
            Files.createDirectories(leaseDir);
        } catch (IOException e) {
            throw new LaunchException("Failed to create '" + leaseDir + "': " + e.getMessage(), e);
        }
        try (FileChannel lockFile = FileChannel.open(leaseDir.resolve(".lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock lock = lockFile.lock()) {
            List<Lease> leases = readLeases();
            if (!removeStale(leases).isEmpty()) {
                pruneTable(leases);
            }
            checkPorts(machine, ports, leases);
            if (!Files.exists(Path.of("/sys/class/net", config.bridge()))) {
                checkSubnetIsFree(ROUTES);
            }
            checkHostSockets(ports);
            checkLocalAddresses(ports);
            for (Lease l : leases) { // all live now
                if (l.machine().equals(machine)) {
                    throw new LaunchException("Container '" + machine + "' is already running on bridge '"
                            + config.bridge() + "' (address " + l.address() + ").");
                }
            }
            String address = freeAddress(leases);
            String ifname = hostInterfaceName(machine);
            if (Files.exists(Path.of("/sys/class/net", ifname))) {
                // Not ours to remove on the way out, as the failure below would: another container's.
                throw new LaunchException("Interface '" + ifname + "' exists already: is another container named '"
                        + machine + "' running (on another bridge)?");
            }
            long start = startTime(pid);
            Lease lease = new Lease(leaseDir.resolve(address), address, machine, pid, start, ifname, ports);
            writeLease(lease);
            try {
                return connect(lease);
            } catch (LaunchException | RuntimeException e) {
                removeInterface(ifname);
                deleteQuietly(lease.file());
                if (leases.isEmpty()) {
                    removeShared();
                } else {
                    pruneTable(leases); // its ports, if nft added them before what failed
                }
                throw e;
            }
        } catch (IOException e) {
            throw new LaunchException("Failed to lock the leases in '" + leaseDir + "': " + e.getMessage(), e);
        }
    }

    private Attachment connect(Lease lease) throws LaunchException {
        String bridge = config.bridge();
        Ipv4Subnet subnet = config.subnet();
        StringBuilder host = new StringBuilder();
        boolean newBridge = !Files.exists(Path.of("/sys/class/net", bridge));
        if (newBridge) {
            host.append("link add ").append(bridge).append(" type bridge\n");
            host.append("addr add ").append(subnet.gateway()).append('/').append(subnet.prefix()).append(" dev ")
                    .append(bridge).append('\n');
            if (config.ipv6Gateway() != null) {
                host.append("addr add ").append(config.ipv6Gateway()).append("/64 dev ").append(bridge).append(" nodad\n");
            }
            host.append("link set ").append(bridge).append(" up\n");
        }
        host.append("link add ").append(lease.hostInterface()).append(" type veth peer name ").append(CONTAINER_INTERFACE)
                .append(" netns ").append(lease.pid()).append('\n');
        host.append("link set ").append(lease.hostInterface()).append(" master ").append(bridge).append(" up\n");
        // Hairpin through br_netfilter: a container's own published port, DNATed while bridged, leaves by its port.
        host.append("link set dev ").append(lease.hostInterface()).append(" type bridge_slave hairpin on\n");
        Commands.run("Failed to create the veth '" + lease.hostInterface() + "' on bridge '" + bridge + "'",
                host.toString(), Commands.tool("ip"), "-batch", "-");
        if (newBridge) {
            // route_localnet: published ports are DNATed from 127.0.0.1 too (see docs/networking.md).
            sysctl("net/ipv4/conf/" + bridge + "/route_localnet", "1");
            sysctl("net/ipv4/conf/" + bridge + "/forwarding", "1");
        }
        if (config.ipForward()) {
            sysctlAtLeast("net/ipv4/ip_forward");
        }
        inside(lease.pid(), "Failed to configure '" + CONTAINER_INTERFACE + "' in the container",
                "link set lo up\n"
                + "link set " + CONTAINER_INTERFACE + " address " + macOf(lease.address()) + "\n"
                + "addr add " + lease.address() + "/" + subnet.prefix() + " dev " + CONTAINER_INTERFACE + "\n"
                + "link set " + CONTAINER_INTERFACE + " up\n"
                + "route add default via " + subnet.gateway() + "\n"
                + (config.ipv6Prefix() == null ? "" : "addr add " + config.ipv6Of(lease.address()) + "/64 dev "
                        + CONTAINER_INTERFACE + " nodad\n" + "route add default via " + config.ipv6Gateway() + "\n"));
        Commands.run("Failed to set up nftables table '" + config.table() + "'", tableScript(lease),
                Commands.tool("nft"), "-f", "-");
        int ifindex;
        try {
            ifindex = Integer.parseInt(Files.readString(Path.of("/sys/class/net", lease.hostInterface(), "ifindex")).trim());
        } catch (IOException | NumberFormatException e) {
            throw new LaunchException("Failed to read the ifindex of '" + lease.hostInterface() + "': " + e.getMessage(), e);
        }
        return new Attachment(lease.machine(), lease.pid(), lease.address(), config.ipv6Of(lease.address()),
                lease.hostInterface(), ifindex);
    }

    /**
     * The container's MAC, derived from its address as Docker does ({@code 02:42:} and the four address bytes;
     * locally administered, unicast): an address leased again gets the MAC it had, so the host's neighbour entry
     * for it, which may outlive the previous container, is never stale.
     */
    static String macOf(String address) {
        StringBuilder mac = new StringBuilder("02:42");
        for (String b : address.split("\\.")) {
            mac.append(String.format(":%02x", Integer.parseInt(b)));
        }
        return mac.toString();
    }

    /** Brings up loopback in the network namespace of {@code pid} ({@code Network=none}). */
    public static void loopbackUp(long pid) throws LaunchException {
        inside(pid, "Failed to bring up loopback in the container", "link set lo up\n");
    }

    private static void inside(long pid, String what, String batch) throws LaunchException {
        Commands.run(what, batch, Commands.tool("nsenter"), "--target=" + pid, "--net", "--",
                Commands.tool("ip"), "-batch", "-");
    }

    /**
     * One nft transaction: the table, its map and chains (idempotent: chains are flushed and
     * filled again, the map keeps the other containers' elements), then this container's ports,
     * with {@code create} so that a port someone else published fails the whole transaction.
     */
    String tableScript(Lease lease) {
        String t = "ip " + config.table();
        String bridge = '"' + config.bridge() + '"';
        String subnet = config.subnet().toString();
        StringBuilder s = new StringBuilder();
        s.append("add table ").append(t).append('\n');
        s.append("add map ").append(t).append(" ports { type inet_proto . inet_service : ipv4_addr . inet_service; }\n");
        s.append("add map ").append(t).append(" addrports { type ipv4_addr . inet_proto . inet_service : ipv4_addr . "
                + "inet_service; }\n");
        s.append("add chain ").append(t).append(" prerouting { type nat hook prerouting priority -100; policy accept; }\n");
        s.append("add chain ").append(t).append(" output { type nat hook output priority -100; policy accept; }\n");
        s.append("add chain ").append(t).append(" postrouting { type nat hook postrouting priority 100; policy accept; }\n");
        s.append("add chain ").append(t).append(" input { type filter hook input priority 0; policy accept; }\n");
        for (String chain : List.of("prerouting", "output", "postrouting", "input")) {
            s.append("flush chain ").append(t).append(' ').append(chain).append('\n');
        }
        // Published ports: to one local address, then to any, from outside (prerouting) and from the host (output).
        for (String chain : List.of("prerouting", "output")) {
            s.append("add rule ").append(t).append(' ').append(chain)
                    .append(" fib daddr type local dnat ip to ip daddr . meta l4proto . th dport map @addrports\n");
            s.append("add rule ").append(t).append(' ').append(chain)
                    .append(" fib daddr type local dnat ip to meta l4proto . th dport map @ports\n");
        }
        // Outbound NAT; and connections from 127.0.0.1 leave to the bridge with the bridge's address.
        s.append("add rule ").append(t).append(" postrouting ip saddr ").append(subnet).append(" ip daddr != ")
                .append(subnet).append(" masquerade\n");
        s.append("add rule ").append(t).append(" postrouting oifname ").append(bridge)
                .append(" ip saddr 127.0.0.0/8 masquerade\n");
        // Hairpin: a container reaching a published port through a host address is DNATed back to
        // the bridge; the reply must return through the host to be un-NATed, not over the bridge.
        s.append("add rule ").append(t).append(" postrouting oifname ").append(bridge).append(" ip saddr ")
                .append(subnet).append(" ct status dnat masquerade\n");
        // route_localnet lets 127/8 in from the bridge: only as replies (CVE-2020-8558's lesson).
        s.append("add rule ").append(t).append(" input iifname ").append(bridge)
                .append(" ip daddr 127.0.0.0/8 ct state != { established, related } drop\n");
        for (PortMapping p : lease.ports()) {
            s.append("create element ").append(t).append(' ').append(element(p.address(), p.protocol(), p.hostPort()))
                    .append(" : ").append(lease.address()).append(" . ").append(p.containerPort()).append(" }\n");
        }
        return s.toString();
    }

    /**
     * Releases the lease of {@code machine} held by {@code pid} (a container that has stopped, or
     * a start that failed after the attachment).
     */
    public void detach(Attachment attachment) {
        release(attachment.machine(), attachment.holder());
    }

    /**
     * {@code jnspawn --cleanup}: releases the leases of {@code machine} whose holder is gone, and
     * whatever stale state other containers left.
     */
    public void cleanUp(String machine) {
        release(machine, -1);
    }

    /** {@code jcontainer cleanup}: releases every lease whose holder is gone, and what they left. */
    public void sweep() {
        release(null, -1);
    }

    /** What this object's cleanups removed, one item each. */
    public List<String> removed() {
        return List.copyOf(removed);
    }

    /** @param holder the lease's pid, or -1 for any lease of {@code machine} whose holder is gone */
    private void release(String machine, long holder) {
        if (!Files.isDirectory(leaseDir)) {
            return;
        }
        try (FileChannel lockFile = FileChannel.open(leaseDir.resolve(".lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock lock = lockFile.lock()) {
            List<Lease> leases = readLeases();
            List<Lease> gone = new ArrayList<>();
            for (Lease l : new ArrayList<>(leases)) {
                if (l.machine().equals(machine) && (holder < 0 ? !l.holderAlive() : l.pid() == holder)) {
                    removeLease(l);
                    leases.remove(l);
                    gone.add(l);
                }
            }
            gone.addAll(removeStale(leases));
            if (leases.isEmpty()) {
                removeShared();
            } else if (machine == null) {
                pruneTable(leases); // jcontainer cleanup: every element without a lease, whatever left it
            } else {
                deletePorts(gone, leases);
            }
        } catch (IOException e) {
            warn("Failed to lock the leases in '" + leaseDir + "', ignoring: " + e.getMessage());
        }
    }

    /**
     * The addresses of {@code machine} while it runs on this bridge: its leased IPv4 address, then its IPv6
     * address when the bridge has IPv6; empty when it holds no live lease (not running, or not
     * {@code Network=private}). Read without the lock: leases are replaced by rename, never written in place.
     * For {@code jcontainer status} and {@code show}, which need no root for it.
     */
    public List<String> addresses(String machine) throws IOException {
        List<String> out = new ArrayList<>();
        if (!Files.isDirectory(leaseDir)) {
            return out;
        }
        for (Lease l : readLeases()) {
            if (l.machine().equals(machine) && l.holderAlive()) {
                out.add(l.address());
                String v6 = config.ipv6Of(l.address());
                if (v6 != null) {
                    out.add(v6);
                }
            }
        }
        return out;
    }

    /** Removes leases whose holder is gone from disk and from {@code leases}; returns them. */
    private List<Lease> removeStale(List<Lease> leases) {
        List<Lease> stale = new ArrayList<>();
        for (Lease l : new ArrayList<>(leases)) {
            if (!l.holderAlive()) {
                removeLease(l);
                leases.remove(l);
                stale.add(l);
            }
        }
        return stale;
    }

    /**
     * Deletes the map elements of the ports {@code gone} published, by key, in one nft transaction: no listing
     * of the maps at every stop. If that fails (an element is missing: a start that ended before its nft step),
     * every element whose address {@code leases} do not hold goes instead.
     */
    private void deletePorts(List<Lease> gone, List<Lease> leases) {
        String t = "ip " + config.table();
        StringBuilder s = new StringBuilder();
        int before = removed.size();
        for (Lease l : gone) {
            for (PortMapping p : l.ports()) {
                s.append("delete element ").append(t).append(' ').append(element(p.address(), p.protocol(), p.hostPort()))
                        .append(" }\n");
                removed.add(portItem(p.address(), p.protocol(), p.hostPort(), l.address(), p.containerPort()));
            }
        }
        if (s.length() == 0) {
            return;
        }
        try {
            Commands.run("Failed to remove published ports", s.toString(), Commands.tool("nft"), "-f", "-");
        } catch (LaunchException e) {
            removed.subList(before, removed.size()).clear(); // one transaction: none of them went
            pruneTable(leases);
        }
    }

    private void removeLease(Lease l) {
        if (removeInterface(l.hostInterface())) {
            removed.add("interface '" + l.hostInterface() + "'");
        }
        if (deleteQuietly(l.file())) {
            removed.add("lease " + l.address() + " of '" + l.machine() + "' on bridge '" + config.bridge() + "'");
        }
    }

    /**
     * A published port's map and key, up to the key's end: {@code ports { tcp . 8080} or, on one host address,
     * {@code addrports { 127.0.0.1 . tcp . 8080}.
     */
    private static String element(String address, String protocol, Object hostPort) {
        return (address == null ? PORTS + " { " : ADDRESS_PORTS + " { " + address + " . ") + protocol + " . " + hostPort;
    }

    /** How a removed published port is reported: {@code published port tcp 127.0.0.1:8080 -> 10.213.0.2:80}. */
    private static String portItem(String address, String protocol, Object hostPort, String to, Object containerPort) {
        return "published port " + protocol + " " + (address == null ? "" : address + ":") + hostPort + " -> " + to + ":"
                + containerPort;
    }

    /** A protocol as nft lists it (a number where /etc/protocols is missing), by name. */
    private static String protocolName(String listed) {
        return listed.equals("6") ? "tcp" : listed.equals("17") ? "udp" : listed;
    }

    /** Deletes the map elements whose address no lease holds (left by a killed jnspawn). */
    private void pruneTable(List<Lease> leases) {
        Set<String> held = new HashSet<>();
        for (Lease l : leases) {
            held.add(l.address());
        }
        String t = "ip " + config.table();
        StringBuilder s = new StringBuilder();
        int before = removed.size();
        for (String map : List.of(PORTS, ADDRESS_PORTS)) {
            String listing;
            try {
                listing = Commands.run("Failed to list the published ports", "", Commands.tool("nft"), "list", "map", "ip",
                        config.table(), map);
            } catch (LaunchException e) {
                continue; // no table (or a table of an older jnspawn without the map): nothing to prune
            }
            for (String[] e : map.equals(PORTS) ? elements(listing) : addressElements(listing)) {
                if (!held.contains(e[2])) {
                    String address = map.equals(PORTS) ? null : e[4];
                    s.append("delete element ").append(t).append(' ').append(element(address, e[0], e[1])).append(" }\n");
                    removed.add(portItem(address, protocolName(e[0]), e[1], e[2], e[3]));
                }
            }
        }
        if (s.length() > 0) {
            try {
                Commands.run("Failed to remove stale published ports", s.toString(), Commands.tool("nft"), "-f", "-");
            } catch (LaunchException e) {
                removed.subList(before, removed.size()).clear(); // one transaction: none of them went
                warn(e.getMessage() + ", ignoring");
            }
        }
    }

    /** The elements of {@code nft list map} output as {protocol, host port, address, container port}. */
    static List<String[]> elements(String listing) {
        List<String[]> out = new ArrayList<>();
        Matcher m = ELEMENT.matcher(listing);
        while (m.find()) {
            out.add(new String[] {m.group(1), m.group(2), m.group(3), m.group(4)});
        }
        return out;
    }

    /**
     * The elements of {@code nft list map ... addrports} output as {protocol, host port, address,
     * container port, host address}.
     */
    static List<String[]> addressElements(String listing) {
        List<String[]> out = new ArrayList<>();
        Matcher m = ADDRESS_ELEMENT.matcher(listing);
        while (m.find()) {
            out.add(new String[] {m.group(2), m.group(3), m.group(4), m.group(5), m.group(1)});
        }
        return out;
    }

    /**
     * With no container left: the nft table and the bridge go. The bridge stays while the table
     * could not be deleted: bin/jnspawn's check without a JVM takes a lease directory without
     * leases and without its bridge for one without a table (docs/jnspawn.md), so the next
     * {@code jnspawn --cleanup} tries again.
     */
    private void removeShared() {
        try {
            Commands.run("Failed to delete nftables table '" + config.table() + "'", "", Commands.tool("nft"),
                    "delete", "table", "ip", config.table());
            removed.add("nftables table 'ip " + config.table() + "'");
        } catch (LaunchException e) {
            if (!e.getMessage().contains("No such file or directory")) { // no table: nothing to delete
                warn(e.getMessage() + ", ignoring; keeping bridge '" + config.bridge() + "'");
                return;
            }
        }
        if (removeInterface(config.bridge())) {
            removed.add("bridge '" + config.bridge() + "'");
        }
    }

    private void checkPorts(String machine, List<PortMapping> ports, List<Lease> leases) throws LaunchException {
        for (int i = 0; i < ports.size(); i++) {
            PortMapping p = ports.get(i);
            for (PortMapping q : ports.subList(0, i)) {
                if (q.overlaps(p)) {
                    throw new LaunchException("Port " + p.protocol() + " " + p.hostSide() + " is published twice"
                            + (q.hostSide().equals(p.hostSide()) ? "." : " (also as " + q.hostSide() + ")."));
                }
            }
            for (Lease l : leases) {
                for (PortMapping q : l.ports()) {
                    if (q.overlaps(p)) {
                        throw new LaunchException("Port " + p.protocol() + " " + p.hostSide()
                                + " is already published by container '" + l.machine() + "'"
                                + (q.hostSide().equals(p.hostSide()) ? "." : " (as " + q.hostSide() + ")."));
                    }
                }
            }
        }
    }

    /**
     * Refuses a subnet that overlaps a route of the host (a network it is on, a VPN, another bridge): containers
     * would not reach that network, and the host would send its traffic for those addresses to the bridge. Checked
     * before the bridge is made; {@code routes} is /proc/net/route's format (IPv4, the main table).
     */
    void checkSubnetIsFree(Path routes) throws LaunchException {
        List<String> lines;
        try {
            lines = Files.readAllLines(routes);
        } catch (IOException e) {
            return; // no IPv4 routes to compare with (no /proc/net/route: nothing to collide with either)
        }
        Ipv4Subnet subnet = config.subnet();
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 8 || f[0].equals(config.bridge())) {
                continue;
            }
            int destination;
            int mask;
            try {
                destination = ipv4(f[1]);
                mask = ipv4(f[7]);
            } catch (RuntimeException e) {
                continue;
            }
            if (mask != 0 && subnet.overlaps(destination, mask)) { // the default route overlaps everything
                throw new LaunchException("Subnet " + subnet + " of bridge '" + config.bridge()
                        + "' overlaps the host's route " + Ipv4Subnet.format(destination) + "/" + Integer.bitCount(mask)
                        + " on '" + f[0] + "'; set another Subnet= in " + NetworkConfig.DEFAULT_PATH + ".");
            }
        }
    }

    /** A port a host process listens on (or, for UDP, has a socket on) would lose its traffic to the DNAT. */
    private static void checkHostSockets(List<PortMapping> ports) throws LaunchException {
        for (PortMapping p : ports) {
            boolean used;
            try {
                used = HostSockets.inUse(p.protocol(), p.address(), p.hostPort());
            } catch (IOException e) {
                throw new LaunchException("Failed to read the host's " + p.protocol() + " sockets: " + e.getMessage(), e);
            }
            if (used) {
                throw new LaunchException("Port " + p.protocol() + " " + p.hostSide()
                        + " is in use on the host (a process listens on it); choose another host port.");
            }
        }
    }

    /** An IPv4 address in /proc/net's hex (see {@link HostSockets#decode}) as an int, first byte highest. */
    private static int ipv4(String hex) {
        return java.nio.ByteBuffer.wrap(HostSockets.decode(hex).getAddress()).getInt();
    }

    /**
     * A port published on one address needs an address of this host: the DNAT matches local
     * destinations only, so on another address it would never answer (as Docker, whose bind fails).
     */
    private static void checkLocalAddresses(List<PortMapping> ports) throws LaunchException {
        for (PortMapping p : ports) {
            if (p.address() == null) {
                continue;
            }
            boolean local;
            try {
                java.net.InetAddress a = java.net.InetAddress.getByName(p.address()); // a literal: no lookup
                local = a.isLoopbackAddress() || java.net.NetworkInterface.getByInetAddress(a) != null;
            } catch (IOException e) {
                throw new LaunchException("Failed to read the host's addresses: " + e.getMessage(), e);
            }
            if (!local) {
                throw new LaunchException("Port " + p.protocol() + " " + p.hostSide() + ": " + p.address()
                        + " is not an address of this host; publish on one of its addresses, or on all of them.");
            }
        }
    }

    private String freeAddress(List<Lease> leases) throws LaunchException {
        Set<String> taken = new HashSet<>();
        for (Lease l : leases) {
            taken.add(l.address());
        }
        Ipv4Subnet subnet = config.subnet();
        for (int i = 0; i < subnet.leasable(); i++) {
            String a = subnet.address(i);
            if (!taken.contains(a) && !Files.exists(leaseDir.resolve(a))) {
                return a;
            }
        }
        throw new LaunchException("No free address in subnet " + subnet + " of bridge '" + config.bridge() + "' ("
                + subnet.leasable() + " leased); set a larger Subnet= in " + NetworkConfig.DEFAULT_PATH + ".");
    }

    List<Lease> readLeases() throws IOException {
        List<Lease> out = new ArrayList<>();
        try (java.nio.file.DirectoryStream<Path> files = Files.newDirectoryStream(leaseDir, "[0-9]*")) {
            for (Path f : files) {
                if (!f.getFileName().toString().matches("[0-9.]+")) {
                    continue;
                }
                Lease l = parseLease(f);
                if (l != null) {
                    out.add(l);
                }
            }
        }
        return out;
    }

    private static Lease parseLease(Path f) {
        String machine = "";
        long pid = -1;
        long start = -1;
        String ifname = "";
        List<PortMapping> ports = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(f)) {
                int eq = line.indexOf('=');
                if (eq < 0) {
                    continue;
                }
                String v = line.substring(eq + 1);
                switch (line.substring(0, eq)) {
                    case "MACHINE" -> machine = v;
                    case "PID" -> pid = Long.parseLong(v);
                    case "START" -> start = Long.parseLong(v);
                    case "INTERFACE" -> ifname = v;
                    case "PORT" -> ports.add(PortMapping.parse(v));
                    default -> { }
                }
            }
        } catch (IOException | RuntimeException | io.jcontainer.jnspawn.settings.SettingsException e) {
            // Unreadable or half-written (never: written by rename): a holder of -1 is stale.
        }
        return new Lease(f, f.getFileName().toString(), machine, pid, start, ifname, ports);
    }

    private static void writeLease(Lease l) throws LaunchException {
        StringBuilder s = new StringBuilder();
        s.append("MACHINE=").append(l.machine()).append('\n');
        s.append("PID=").append(l.pid()).append('\n');
        s.append("START=").append(l.startTime()).append('\n');
        s.append("INTERFACE=").append(l.hostInterface()).append('\n');
        for (PortMapping p : l.ports()) {
            s.append("PORT=").append(p).append('\n');
        }
        Path tmp = l.file().resolveSibling(".#" + l.address() + "." + ProcessHandle.current().pid());
        try {
            Files.writeString(tmp, s);
            Files.move(tmp, l.file(), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw new LaunchException("Failed to write lease '" + l.file() + "': " + e.getMessage(), e);
        }
    }

    /** Field 22 of /proc/PID/stat, the start time in clock ticks since boot; -1 if it is gone. */
    static long startTime(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[19]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** True if this call removed it. */
    private static boolean removeInterface(String name) {
        if (name.isEmpty() || !Files.exists(Path.of("/sys/class/net", name))) {
            return false;
        }
        try {
            Commands.run("Failed to remove interface '" + name + "'", "", Commands.tool("ip"), "link", "del", name);
            return true;
        } catch (LaunchException e) {
            // A veth goes by itself, asynchronously, once its container's namespace is gone.
            if (!e.getMessage().contains("Cannot find device")) {
                warn(e.getMessage() + ", ignoring");
            }
            return false;
        }
    }

    private static void sysctl(String key, String value) throws LaunchException {
        try {
            Files.writeString(Path.of("/proc/sys", key), value);
        } catch (IOException e) {
            throw new LaunchException("Failed to set " + key.replace('/', '.') + "=" + value + ": " + e.getMessage(), e);
        }
    }

    /** Sets a boolean sysctl to 1 unless it is already. */
    private static void sysctlAtLeast(String key) throws LaunchException {
        try {
            if (!Files.readString(Path.of("/proc/sys", key)).trim().equals("1")) {
                sysctl(key, "1");
            }
        } catch (IOException e) {
            throw new LaunchException("Failed to read " + key.replace('/', '.') + ": " + e.getMessage(), e);
        }
    }

    /** True if this call deleted it. */
    private static boolean deleteQuietly(Path p) {
        try {
            return Files.deleteIfExists(p);
        } catch (IOException e) {
            warn("Failed to remove '" + p + "', ignoring: " + e.getMessage());
            return false;
        }
    }

    private static void warn(String message) {
        System.err.println("jnspawn: " + message);
    }
}
