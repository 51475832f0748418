package dev.failfast.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.failfast.store.BatchStore;
import dev.failfast.store.InMemoryBatchStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.scheduling.TaskScheduler;

/**
 * The retention purge runs on a thread of its own: a purge that hangs in the database
 * holds up no job timer (timeouts, deadlines, backoffs, grace periods), even with a
 * single timer thread.
 */
@SpringBootTest(properties = { "failfast.engine.scheduler-pool-size=1", "failfast.retention.purge-interval=100ms" })
class RetentionThreadTest {

    static final CountDownLatch PURGING = new CountDownLatch(1);
    static final CountDownLatch PURGE_MAY_END = new CountDownLatch(1);
    static volatile String purgeThread = "";

    @Autowired
    @Qualifier("failfastTimerScheduler")
    TaskScheduler timers;

    @AfterAll
    static void endThePurge() {
        PURGE_MAY_END.countDown();
    }

    @Test
    void aPurgeThatHangsInTheDatabaseHoldsUpNoTimer() throws InterruptedException {
        assertThat(PURGING.await(30, TimeUnit.SECONDS)).isTrue();

        var fired = new CountDownLatch(1);
        java.util.concurrent.Future<?> timer = timers.schedule(fired::countDown, Instant.now());

        assertThat(fired.await(10, TimeUnit.SECONDS)).as("a timer fires while the purge hangs").isTrue();
        assertThat(timer).succeedsWithin(java.time.Duration.ofSeconds(10));
        assertThat(purgeThread).isEqualTo("failfast-retention");
    }

    @TestConfiguration
    static class HangingPurge {

        /**
         * An in-memory store whose purge hangs, as a DELETE waiting for a row lock would.
         */
        @Bean
        @Primary
        BatchStore hangingPurgeStore() {
            BatchStore store = new InMemoryBatchStore();
            return (BatchStore) Proxy.newProxyInstance(BatchStore.class.getClassLoader(),
                    new Class<?>[] { BatchStore.class }, (proxy, method, args) -> {
                        if (method.getName().equals("deleteFinishedBefore")) {
                            purgeThread = Thread.currentThread().getName();
                            PURGING.countDown();
                            PURGE_MAY_END.await(60, TimeUnit.SECONDS);
                        }
                        try {
                            return method.invoke(store, args);
                        }
                        catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        }

    }

}
