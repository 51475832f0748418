package dev.failfast.client;

import java.util.function.Consumer;

/**
 * One server-sent event: its name ({@code message} when the stream gave none), its data
 * lines joined by {@code \n}, and the last event id seen then (null before any).
 */
record ServerSentEvent(String event, String data, String id) {

    /**
     * Reads an event stream line by line (the text/event-stream rules of the HTML standard:
     * {@code :} starts a comment, an empty line dispatches the event, one space after the
     * colon is dropped) and hands each event to the consumer.
     */
    static final class Parser {

        private final Consumer<ServerSentEvent> consumer;

        private String event = "";

        private final StringBuilder data = new StringBuilder();

        private boolean hasData;

        private String lastId;

        Parser(Consumer<ServerSentEvent> consumer) {
            this.consumer = consumer;
        }

        void line(String line) {
            if (line.isEmpty()) {
                dispatch();
                return;
            }
            if (line.charAt(0) == ':') {
                return;
            }
            int colon = line.indexOf(':');
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + 1);
            if (value.startsWith(" ")) {
                value = value.substring(1);
            }
            switch (field) {
                case "event" -> event = value;
                case "data" -> {
                    if (hasData) {
                        data.append('\n');
                    }
                    data.append(value);
                    hasData = true;
                }
                case "id" -> {
                    if (value.indexOf('\0') < 0) {
                        lastId = value;
                    }
                }
                default -> {
                    // retry: and unknown fields: nothing to do for these clients
                }
            }
        }

        /** The last event id the stream gave, or null. */
        String lastId() {
            return lastId;
        }

        private void dispatch() {
            if (hasData) {
                consumer.accept(new ServerSentEvent(event.isEmpty() ? "message" : event, data.toString(), lastId));
            }
            event = "";
            data.setLength(0);
            hasData = false;
        }

    }

}
