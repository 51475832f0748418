package dev.failfast.job;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The registry of job types: every {@link JobHandler} bean, by its
 * {@link JobHandler#type()}.
 */
@Component
public class JobHandlers {

    private static final Logger log = LoggerFactory.getLogger(JobHandlers.class);

    private final Map<String, JobHandler<?>> byType;

    public JobHandlers(List<JobHandler<?>> handlers) {
        this.byType = handlers.stream().collect(Collectors.toUnmodifiableMap(JobHandler::type, Function.identity()));
    }

    public Optional<JobHandler<?>> find(String type) {
        return Optional.ofNullable(byType.get(type));
    }

    /**
     * A job's params as they may be shown ({@link JobHandler#redactParams}). Params of a
     * type no longer registered are shown as they are; if a handler fails to redact, none
     * are shown.
     */
    public ObjectNode redactParams(String type, ObjectNode params) {
        JobHandler<?> handler = byType.get(type);
        if (handler == null) {
            return params;
        }
        try {
            return handler.redactParams(params);
        }
        catch (RuntimeException e) {
            // Not the exception's message: it may quote what it failed to mask.
            log.warn("Job type {} failed to redact params ({}); they are not shown", type, e.getClass().getName());
            return JsonNodeFactory.instance.objectNode();
        }
    }

    public SortedSet<String> types() {
        return new TreeSet<>(byType.keySet());
    }

}
