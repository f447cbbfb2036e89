package dev.traceflow.http;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.regex.Pattern;

/** IP address literals as they come in headers and peers, without ever asking DNS. */
public final class IpAddresses {

    private static final Pattern V4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern V6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

    private IpAddresses() {
    }

    /**
     * The address an IP literal names; empty for anything else (host names, ports, zone ids,
     * {@code unknown}): {@code InetAddress.getByName} only sees strings that cannot start a lookup.
     */
    public static Optional<InetAddress> parse(String literal) {
        if (literal == null) {
            return Optional.empty();
        }
        String s = literal.strip();
        if (s.startsWith("[") && s.endsWith("]")) {
            s = s.substring(1, s.length() - 1);
        }
        boolean v4 = V4.matcher(s).matches();
        if (!v4 && !(s.indexOf(':') >= 0 && V6.matcher(s).matches())) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByName(s));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    /**
     * The key a per-client limit counts under: the address itself for IPv4, its /64 network for
     * IPv6 (one subscriber usually holds a whole /64, so counting single IPv6 addresses would give
     * one client 2^64 budgets). Anything that is no IP literal is its own key.
     */
    public static String limitKey(String address) {
        Optional<InetAddress> parsed = parse(address);
        if (parsed.isEmpty() || parsed.get().getAddress().length != 16) {
            return address;
        }
        byte[] b = parsed.get().getAddress();
        StringBuilder key = new StringBuilder();
        for (int i = 0; i < 8; i += 2) {
            key.append(Integer.toHexString(((b[i] & 0xff) << 8) | (b[i + 1] & 0xff))).append(':');
        }
        return key.append(":/64").toString();
    }
}
