package dev.failfast.job;

/**
 * A range of TCP ports, written {@code 443} or {@code 8000-8999}.
 *
 * @param from the first port
 * @param to the last port, {@code from} or more
 */
record PortRange(int from, int to) {

    PortRange {
        if (from < 1 || to > 65535 || from > to) {
            throw new IllegalArgumentException("Not a port range of 1 to 65535: " + from + "-" + to);
        }
    }

    static PortRange parse(String text) {
        String trimmed = text.trim();
        int dash = trimmed.indexOf('-');
        try {
            return dash < 0 ? new PortRange(Integer.parseInt(trimmed), Integer.parseInt(trimmed))
                    : new PortRange(Integer.parseInt(trimmed.substring(0, dash).trim()),
                            Integer.parseInt(trimmed.substring(dash + 1).trim()));
        }
        catch (NumberFormatException e) {
            throw new IllegalArgumentException("Not a port or port range: " + text, e);
        }
    }

    boolean contains(int port) {
        return port >= from && port <= to;
    }

}
