package dev.failfast.store;

import dev.failfast.batch.Batch;
import dev.failfast.batch.BatchState;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Which batches to list.
 *
 * @param tenant only batches of this tenant; null for every tenant's
 * @param state only batches in this state; null for any
 * @param labels only batches carrying every one of these labels with these values
 */
public record BatchQuery(@Nullable String tenant, @Nullable BatchState state, Map<String, String> labels) {

    public static final BatchQuery ALL = new BatchQuery(null, null, Map.of());

    public BatchQuery {
        labels = Map.copyOf(labels);
    }

    public boolean matches(Batch batch) {
        return (tenant == null || batch.owner().tenant().equals(tenant)) && (state == null || batch.state() == state)
                && batch.spec().labels().entrySet().containsAll(labels.entrySet());
    }
}
