package dev.traceflow.outbound;

import dev.traceflow.http.IpAddresses;

import java.math.BigInteger;
import java.net.IDN;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An http(s) URL taken apart the way browsers and curl read its host, so that no spelling of an
 * address ({@code 2130706433}, {@code 0x7f.1}, {@code 0177.0.0.1}, {@code [::ffff:7f00:1]}) means one
 * address to the check and another to the connection.
 *
 * @param uri     the URL rewritten with the host in its plain form (lower case, punycode, dotted
 *                decimal IPv4, IPv6 as the JDK writes it); path and query as given
 * @param host    the host as a name to resolve, or the address literal
 * @param literal the address when the host is an IP literal, else null (a name to resolve)
 */
record OutboundUrl(URI uri, String host, InetAddress literal) {

    static final int MAX_LENGTH = 2048;

    private static final Pattern DIGITS = Pattern.compile("[0-9]+");
    private static final Pattern HEX = Pattern.compile("0x[0-9a-f]*");
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

    static OutboundUrl parse(String url) {
        if (url == null || url.isBlank()) {
            throw refused("not a URL", "the URL is empty");
        }
        if (url.length() > MAX_LENGTH) {
            throw refused("URL too long", "the URL is longer than " + MAX_LENGTH + " characters");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw refused("not a URL", "the URL is not valid (spaces and such must be percent-encoded)");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw refused("not http or https", "only http:// and https:// URLs are allowed");
        }
        String authority = uri.getRawAuthority();
        if (uri.isOpaque() || authority == null || authority.isEmpty()) {
            throw refused("no host", "the URL has no host");
        }
        if (uri.getRawFragment() != null) {
            throw refused("fragment", "the URL may not have a #fragment");
        }
        if (authority.contains("@")) {
            // also when the authority is not server-based and URI found no user info in it
            throw refused("credentials in the URL", "the URL may not contain user:password@ (never sent; webhooks are "
                    + "signed with the channel's secret)");
        }
        String hostPart;
        String portPart;
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            hostPart = close < 0 ? authority : authority.substring(0, close + 1);
            portPart = close < 0 ? "" : authority.substring(close + 1);
        } else {
            int colon = authority.lastIndexOf(':');
            hostPart = colon < 0 ? authority : authority.substring(0, colon);
            portPart = colon < 0 ? "" : authority.substring(colon);
        }
        int port = port(portPart);

        InetAddress literal;
        String host;
        String uriHost;
        if (hostPart.startsWith("[")) {
            literal = ipv6(hostPart);
            host = literal.getHostAddress();
            uriHost = literal instanceof Inet6Address ? "[" + host + "]" : host;
        } else {
            String name = hostPart.toLowerCase(Locale.ROOT);
            if (name.endsWith(".")) {
                name = name.substring(0, name.length() - 1);
            }
            if (endsInNumber(name)) {
                literal = ipv4(name).orElseThrow(() -> refused("invalid host", "the URL's host is no valid IPv4 address"));
                host = literal.getHostAddress();
            } else {
                literal = null;
                host = hostName(name);
            }
            uriHost = host;
        }
        String plain = scheme + "://" + uriHost + (port < 0 ? "" : ":" + port) + uri.getRawPath()
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        try {
            URI normalized = new URI(plain);
            if (normalized.getHost() == null) {
                throw refused("invalid host", "the URL's host is not valid");
            }
            return new OutboundUrl(normalized, host, literal);
        } catch (URISyntaxException e) {
            throw refused("not a URL", "the URL is not valid");
        }
    }

    /** The port the connection goes to: the URL's, or the scheme's default. */
    int port() {
        return uri.getPort() >= 0 ? uri.getPort() : uri.getScheme().equals("https") ? 443 : 80;
    }

    private static int port(String part) {
        if (part.isEmpty() || part.equals(":")) {
            return -1;
        }
        String digits = part.substring(1);
        if (!part.startsWith(":") || !DIGITS.matcher(digits).matches() || digits.length() > 5
                || Integer.parseInt(digits) < 1 || Integer.parseInt(digits) > 65535) {
            throw refused("invalid port", "the URL's port is not valid (1..65535)");
        }
        return Integer.parseInt(digits);
    }

    private static InetAddress ipv6(String bracketed) {
        if (!bracketed.endsWith("]") || bracketed.contains("%")) {
            throw refused("invalid host", "the URL's host is no valid IPv6 address (zone ids are not allowed)");
        }
        return IpAddresses.parse(bracketed)
                .orElseThrow(() -> refused("invalid host", "the URL's host is no valid IPv6 address"));
    }

    /** WHATWG URL: a host whose last label is a number is an IPv4 address or invalid, never a name. */
    private static boolean endsInNumber(String name) {
        String last = name.substring(name.lastIndexOf('.') + 1);
        return !last.isEmpty() && (DIGITS.matcher(last).matches() || HEX.matcher(last).matches());
    }

    /**
     * WHATWG URL's IPv4 parser (as browsers and curl): one to four parts, each decimal, octal with a
     * leading 0, or hex with 0x; the last part fills the bytes the others left.
     */
    static Optional<InetAddress> ipv4(String host) {
        String[] parts = host.split("\\.", -1);
        if (parts.length > 4) {
            return Optional.empty();
        }
        List<BigInteger> numbers = new ArrayList<>();
        for (String part : parts) {
            BigInteger n = number(part);
            if (n == null) {
                return Optional.empty();
            }
            numbers.add(n);
        }
        BigInteger byteLimit = BigInteger.valueOf(256);
        for (int i = 0; i < numbers.size() - 1; i++) {
            if (numbers.get(i).compareTo(byteLimit) >= 0) {
                return Optional.empty();
            }
        }
        BigInteger last = numbers.getLast();
        if (last.compareTo(byteLimit.pow(5 - numbers.size())) >= 0) {
            return Optional.empty();
        }
        long value = last.longValue();
        for (int i = 0; i < numbers.size() - 1; i++) {
            value += numbers.get(i).longValue() << (8 * (3 - i));
        }
        byte[] bytes = {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
        try {
            return Optional.of(InetAddress.getByAddress(bytes));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    private static BigInteger number(String part) {
        if (part.isEmpty() || part.length() > 40) {
            return null;
        }
        int radix = 10;
        String digits = part;
        if (part.startsWith("0x")) {
            radix = 16;
            digits = part.substring(2);
            if (digits.isEmpty()) {
                return BigInteger.ZERO;
            }
        } else if (part.length() > 1 && part.startsWith("0")) {
            radix = 8;
            digits = part.substring(1);
        }
        try {
            BigInteger n = new BigInteger(digits, radix);
            return n.signum() < 0 || digits.startsWith("+") ? null : n;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** A DNS name in ASCII (internationalised names as punycode), or refused. */
    private static String hostName(String name) {
        String ascii;
        try {
            ascii = IDN.toASCII(name, IDN.USE_STD3_ASCII_RULES).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            throw refused("invalid host", "the URL's host is no valid host name");
        }
        if (ascii.isEmpty() || ascii.length() > 253) {
            throw refused("invalid host", "the URL's host is no valid host name");
        }
        for (String label : ascii.split("\\.", -1)) {
            if (!LABEL.matcher(label).matches()) {
                throw refused("invalid host", "the URL's host is no valid host name");
            }
        }
        return ascii;
    }

    private static OutboundRefused refused(String reason, String message) {
        return new OutboundRefused(reason, "URL refused: " + message);
    }
}
