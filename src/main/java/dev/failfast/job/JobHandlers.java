package dev.failfast.job;

import dev.failfast.logging.LogText;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The registry of job types: every {@link JobHandler} bean, by its
 * {@link JobHandler#type()}. A handler whose type ends with {@code :} serves a family of
 * types: its type followed by a name of 1 to 64 lower-case letters, digits, {@code .},
 * {@code _} or {@code -}, starting with a letter or a digit ({@code remote:download}).
 */
@Component
public class JobHandlers {

    private static final Logger log = LoggerFactory.getLogger(JobHandlers.class);

    private static final Pattern FAMILY_MEMBER = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

    private final Map<String, JobHandler<?>> byType;

    private final Map<String, JobHandler<?>> byFamily;

    public JobHandlers(List<JobHandler<?>> handlers) {
        this.byType = handlers.stream()
            .filter(handler -> !isFamily(handler.type()))
            .collect(Collectors.toUnmodifiableMap(JobHandler::type, Function.identity()));
        this.byFamily = handlers.stream()
            .filter(handler -> isFamily(handler.type()))
            .collect(Collectors.toUnmodifiableMap(JobHandler::type, Function.identity()));
    }

    private static boolean isFamily(String type) {
        return type.endsWith(":");
    }

    /** The handler of {@code type}: the type's own, or its family's. */
    public Optional<JobHandler<?>> find(String type) {
        JobHandler<?> handler = byType.get(type);
        if (handler != null) {
            return Optional.of(handler);
        }
        String family = familyOf(type);
        return family == null ? Optional.empty() : Optional.ofNullable(byFamily.get(family));
    }

    /**
     * The family {@code type} belongs to ({@code remote:}), or null for a type of its own
     * or one no family could hold.
     */
    private static @Nullable String familyOf(String type) {
        int colon = type.indexOf(':');
        if (colon < 1 || !FAMILY_MEMBER.matcher(type.substring(colon + 1)).matches()) {
            return null;
        }
        return type.substring(0, colon + 1);
    }

    /**
     * The type as metrics tag it: a family's members share one series ({@code remote:*}),
     * as their names are the clients' choice and unbounded.
     */
    public String meteredType(String type) {
        String family = byType.containsKey(type) ? null : familyOf(type);
        return family != null && byFamily.containsKey(family) ? family + "*" : type;
    }

    /**
     * A job's params as they may be shown ({@link JobHandler#redactParams}). Params of a
     * type no longer registered are shown as they are; if a handler fails to redact, none
     * are shown.
     */
    public ObjectNode redactParams(String type, ObjectNode params) {
        JobHandler<?> handler = find(type).orElse(null);
        if (handler == null) {
            return params;
        }
        try {
            return handler.redactParams(params);
        }
        catch (RuntimeException e) {
            // Not the exception's message: it may quote what it failed to mask.
            log.warn("Job type {} failed to redact params ({}); they are not shown", LogText.of(type),
                    e.getClass().getName());
            return JsonNodeFactory.instance.objectNode();
        }
    }

    /**
     * The types clients may write; a family is written with {@code <name>}:
     * {@code remote:<name>}.
     */
    public SortedSet<String> types() {
        SortedSet<String> types = new TreeSet<>(byType.keySet());
        byFamily.keySet().forEach(family -> types.add(family + "<name>"));
        return types;
    }

    /** The types metrics keep series for: each type, and each family's one series. */
    public SortedSet<String> meteredTypes() {
        SortedSet<String> types = new TreeSet<>(byType.keySet());
        byFamily.keySet().forEach(family -> types.add(family + "*"));
        return types;
    }

}
