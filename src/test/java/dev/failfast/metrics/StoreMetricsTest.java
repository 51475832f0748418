package dev.failfast.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import dev.failfast.batch.Batch;
import dev.failfast.batch.Job;
import dev.failfast.batch.JobState;
import dev.failfast.store.BatchQuery;
import dev.failfast.store.BatchStore;
import dev.failfast.store.IdempotencyKey;
import dev.failfast.store.InMemoryBatchStore;
import dev.failfast.store.KeyedBatch;
import dev.failfast.store.Page;
import dev.failfast.store.PageRequest;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The timing proxy around the store bean: what it times, and what it keeps of the store's
 * type.
 */
class StoreMetricsTest {

    private final MeterRegistry registry = new SimpleMeterRegistry();

    private final StoreMetrics postProcessor = new StoreMetrics(
            new StaticListableBeanFactory(Map.of("registry", registry)).getBeanProvider(MeterRegistry.class));

    @Test
    void writesAreTimedByOperationAndExceptionReadsAreNot() {
        BatchStore store = (BatchStore) postProcessor.postProcessAfterInitialization(new FlushingStore(), "store");

        assertThat(store.delete(UUID.randomUUID())).isFalse();
        assertThatIllegalStateException().isThrownBy(() -> store.delete(FlushingStore.BROKEN));
        store.findBatch(UUID.randomUUID());
        store.flush();
        store.deleteFinishedBefore(Instant.now());

        assertThat(timerCount("delete", "none")).isEqualTo(1);
        assertThat(timerCount("flush", "none")).isEqualTo(1);
        assertThat(timerCount("deleteFinishedBefore", "none")).isEqualTo(1);
        assertThat(timerCount("delete", "IllegalStateException")).isEqualTo(1);
        assertThat(registry.find("failfast.store.write").tag("operation", "findBatch").timer()).isNull();
        assertThat(registry.get("failfast.store.write").tag("operation", "delete").timer().getId().getTag("store"))
            .isEqualTo("FlushingStore");
    }

    @Test
    void theProxyKeepsTheStoreClassAndEveryInterface() {
        Object proxy = postProcessor.postProcessAfterInitialization(new FlushingStore(), "store");

        assertThat(proxy).isInstanceOf(FlushingStore.class).isInstanceOf(SmartLifecycle.class);
    }

    @Test
    void aFinalStoreClassIsProxiedByItsInterfaces() {
        Object proxy = postProcessor.postProcessAfterInitialization(new InMemoryBatchStore(), "store");

        assertThat(proxy).isInstanceOf(BatchStore.class).isNotInstanceOf(InMemoryBatchStore.class);
        assertThat(((BatchStore) proxy).delete(UUID.randomUUID())).isFalse();
    }

    @Test
    void otherBeansAreLeftAlone() {
        Object bean = new Object();

        assertThat(postProcessor.postProcessAfterInitialization(bean, "other")).isSameAs(bean);
    }

    private double timerCount(String operation, String exception) {
        return registry.get("failfast.store.write")
            .tag("operation", operation)
            .tag("exception", exception)
            .timer()
            .count();
    }

    /**
     * A store that also has a life cycle, as a write-behind store would; deleting
     * {@link #BROKEN} fails.
     */
    static class FlushingStore implements BatchStore, SmartLifecycle {

        static final UUID BROKEN = UUID.randomUUID();

        private final BatchStore delegate = new InMemoryBatchStore();

        private boolean running;

        @Override
        public void create(Batch batch, List<Job> jobs, @Nullable IdempotencyKey key) {
            delegate.create(batch, jobs, key);
        }

        @Override
        public Optional<KeyedBatch> findByIdempotencyKey(String key) {
            return delegate.findByIdempotencyKey(key);
        }

        @Override
        public void update(Batch batch, List<Job> changedJobs) {
            delegate.update(batch, changedJobs);
        }

        @Override
        public void flush(UUID batchId) {
            delegate.flush(batchId);
        }

        @Override
        public Optional<Batch> findBatch(UUID id) {
            return delegate.findBatch(id);
        }

        @Override
        public Page<Batch> findBatches(BatchQuery query, PageRequest page) {
            return delegate.findBatches(query, page);
        }

        @Override
        public Page<Job> findJobs(UUID batchId, @Nullable JobState state, PageRequest page) {
            return delegate.findJobs(batchId, state, page);
        }

        @Override
        public Optional<Job> findJob(UUID batchId, String jobId) {
            return delegate.findJob(batchId, jobId);
        }

        @Override
        public List<Batch> findUnfinished() {
            return delegate.findUnfinished();
        }

        @Override
        public int deleteFinishedBefore(Instant cutoff) {
            return delegate.deleteFinishedBefore(cutoff);
        }

        @Override
        public boolean delete(UUID id) {
            if (id.equals(BROKEN)) {
                throw new IllegalStateException("store is down");
            }
            return delegate.delete(id);
        }

        @Override
        public void start() {
            running = true;
        }

        @Override
        public void stop() {
            running = false;
        }

        @Override
        public boolean isRunning() {
            return running;
        }

    }

}
