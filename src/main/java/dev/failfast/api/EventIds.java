package dev.failfast.api;

import dev.failfast.engine.EventPosition;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The {@code id:} of every event of a stream and the {@code Last-Event-ID} a client
 * reconnects with: {@code <origin>.<major>.<minor>}, the event's {@link EventPosition}.
 * Clients treat it as opaque.
 */
final class EventIds {

    static final String HEADER = "Last-Event-ID";

    private static final Pattern FORMAT = Pattern.compile("([a-z0-9]{1,16})\\.([0-9]{1,18})\\.([0-9]{1,18})");

    private EventIds() {
    }

    static String format(EventPosition position) {
        return position.origin() + "." + position.major() + "." + position.minor();
    }

    /**
     * The position a {@code Last-Event-ID} names.
     * @throws InvalidFieldsException when it is not an event id this service sends (its
     * value is not repeated: it is the client's)
     */
    static EventPosition parse(String id) {
        var match = FORMAT.matcher(id.strip());
        if (!match.matches()) {
            throw new InvalidFieldsException(List.of(new ProblemHandler.FieldProblem(HEADER,
                    "is not an event id of this service; reconnect without it to start from the batch's status")));
        }
        return new EventPosition(match.group(1), Long.parseLong(match.group(2)), Long.parseLong(match.group(3)));
    }

}
