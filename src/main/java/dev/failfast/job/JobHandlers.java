package dev.failfast.job;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.stereotype.Component;

/**
 * The registry of job types: every {@link JobHandler} bean, by its
 * {@link JobHandler#type()}.
 */
@Component
public class JobHandlers {

    private final Map<String, JobHandler<?>> byType;

    public JobHandlers(List<JobHandler<?>> handlers) {
        this.byType = handlers.stream().collect(Collectors.toUnmodifiableMap(JobHandler::type, Function.identity()));
    }

    public Optional<JobHandler<?>> find(String type) {
        return Optional.ofNullable(byType.get(type));
    }

    public SortedSet<String> types() {
        return new TreeSet<>(byType.keySet());
    }

}
