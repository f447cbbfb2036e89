package dev.traceflow.realtime.internal.websocket;

/**
 * One Socket.IO v5 packet as the client writes it inside an Engine.IO MESSAGE:
 * {@code <type>[<attachments>-][/<namespace>,][<ack id>][<JSON>]}.
 *
 * @param type        {@link #CONNECT} ... {@link #BINARY_ACK}
 * @param attachments binary attachments that follow (binary types only), else 0
 * @param namespace   {@code /} when the packet names none
 * @param ackId       the id the client waits for an ACK with, or null
 * @param data        the JSON text, possibly empty
 */
record SocketIoPacket(int type, int attachments, String namespace, Long ackId, String data) {

    static final int CONNECT = 0;
    static final int DISCONNECT = 1;
    static final int EVENT = 2;
    static final int ACK = 3;
    static final int CONNECT_ERROR = 4;
    static final int BINARY_EVENT = 5;
    static final int BINARY_ACK = 6;

    /** Ack ids are the client's counter: more digits than a long holds is junk, not a counter. */
    private static final int MAX_ID_DIGITS = 15;

    /** @throws IllegalArgumentException when it is no Socket.IO v5 packet */
    static SocketIoPacket parse(String packet) {
        if (packet.isEmpty() || packet.charAt(0) < '0' || packet.charAt(0) > '6') {
            throw new IllegalArgumentException("a packet starts with its type, 0 to 6");
        }
        int type = packet.charAt(0) - '0';
        int i = 1;
        int attachments = 0;
        if (type == BINARY_EVENT || type == BINARY_ACK) {
            int start = i;
            while (i < packet.length() && Character.isDigit(packet.charAt(i)) && i - start < MAX_ID_DIGITS) {
                i++;
            }
            if (i == start || i >= packet.length() || packet.charAt(i) != '-') {
                throw new IllegalArgumentException("a binary packet names its attachments: 51-...");
            }
            attachments = (int) Math.min(Integer.MAX_VALUE, Long.parseLong(packet.substring(start, i)));
            i++;
        }
        String namespace = "/";
        if (i < packet.length() && packet.charAt(i) == '/') {
            int comma = packet.indexOf(',', i);
            namespace = comma < 0 ? packet.substring(i) : packet.substring(i, comma);
            i = comma < 0 ? packet.length() : comma + 1;
        }
        int start = i;
        while (i < packet.length() && Character.isDigit(packet.charAt(i))) {
            i++;
        }
        if (i - start > MAX_ID_DIGITS) {
            throw new IllegalArgumentException("an ack id of " + (i - start) + " digits");
        }
        Long ackId = i > start ? Long.parseLong(packet.substring(start, i)) : null;
        return new SocketIoPacket(type, attachments, namespace, ackId, packet.substring(i));
    }

    /** What the server's packets of the same namespace start with after the type: {@code /realtime,} (nothing for {@code /}). */
    String prefix() {
        return namespace.equals("/") ? "" : namespace + ",";
    }
}
