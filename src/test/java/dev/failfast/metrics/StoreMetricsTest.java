package dev.failfast.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import dev.failfast.store.BatchStore;
import dev.failfast.store.InMemoryBatchStore;
import dev.failfast.testing.DelegatingBatchStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
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
    static class FlushingStore extends DelegatingBatchStore implements SmartLifecycle {

        static final UUID BROKEN = UUID.randomUUID();

        private boolean running;

        @Override
        public boolean delete(UUID id) {
            if (id.equals(BROKEN)) {
                throw new IllegalStateException("store is down");
            }
            return super.delete(id);
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
