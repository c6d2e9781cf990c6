package dev.creditgate.gateway.token;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * A token's {@code allow_ips}: addresses or CIDR blocks (IPv4 and IPv6), separated by newlines, commas or spaces
 * (new-api uses newlines). Empty allows everyone.
 */
public final class IpAllowList {

    static final IpAllowList ANY = new IpAllowList(List.of());

    private record Block(byte[] network, int prefix) {}

    private final List<Block> blocks;

    private IpAllowList(List<Block> blocks) {
        this.blocks = blocks;
    }

    /** @throws IllegalArgumentException naming the entry that is neither an address nor a CIDR block */
    public static IpAllowList parse(String text) {
        if (text == null || text.isBlank()) {
            return ANY;
        }
        List<Block> blocks = new ArrayList<>();
        for (String entry : text.split("[\\s,;]+")) {
            if (entry.isEmpty()) {
                continue;
            }
            int slash = entry.indexOf('/');
            String address = slash < 0 ? entry : entry.substring(0, slash);
            byte[] bytes = literal(address);
            if (bytes == null) {
                throw new IllegalArgumentException("allow_ips: \"" + entry + "\" (expected: an IP address or CIDR block)");
            }
            int prefix = bytes.length * 8;
            if (slash >= 0) {
                try {
                    prefix = Integer.parseInt(entry.substring(slash + 1));
                } catch (NumberFormatException e) {
                    prefix = -1;
                }
                if (prefix < 0 || prefix > bytes.length * 8) {
                    throw new IllegalArgumentException("allow_ips: \"" + entry + "\" (expected: a prefix length 0.."
                            + bytes.length * 8 + ")");
                }
            }
            blocks.add(new Block(bytes, prefix));
        }
        return new IpAllowList(List.copyOf(blocks));
    }

    public boolean isEmpty() {
        return blocks.isEmpty();
    }

    public boolean allows(String clientIp) {
        if (blocks.isEmpty()) {
            return true;
        }
        byte[] ip = literal(clientIp);
        if (ip == null) {
            return false;
        }
        for (Block b : blocks) {
            if (b.network.length == ip.length && matches(b.network, ip, b.prefix)) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(byte[] network, byte[] ip, int prefix) {
        int full = prefix / 8;
        for (int i = 0; i < full; i++) {
            if (network[i] != ip[i]) {
                return false;
            }
        }
        int rest = prefix % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xFF << (8 - rest)) & 0xFF;
        return (network[full] & mask) == (ip[full] & mask);
    }

    /** Parses an IP literal without any DNS lookup; null when it is not one. */
    private static byte[] literal(String s) {
        if (s == null || s.isEmpty()) {
            return null;
        }
        boolean v6 = s.indexOf(':') >= 0;
        if (!v6 && !s.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            return null;
        }
        if (v6 && !s.matches("[0-9a-fA-F:.%\\[\\]]+")) {
            return null;
        }
        try {
            byte[] bytes = InetAddress.getByName(s).getAddress();
            if (bytes.length == 16 && isV4Mapped(bytes)) {
                return java.util.Arrays.copyOfRange(bytes, 12, 16);
            }
            return bytes;
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static boolean isV4Mapped(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return b[10] == (byte) 0xFF && b[11] == (byte) 0xFF;
    }
}
