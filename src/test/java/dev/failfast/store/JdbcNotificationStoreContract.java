package dev.failfast.store;

import static dev.failfast.batch.TestBatches.aBatch;
import static dev.failfast.batch.TestBatches.aBatchLike;
import static dev.failfast.batch.TestJobs.aJob;
import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.failfast.batch.Batch;
import dev.failfast.batch.Job;
import dev.failfast.batch.JobState;
import dev.failfast.batch.NotificationEvent;
import dev.failfast.batch.NotificationTarget;
import dev.failfast.batch.TestBatches;
import java.net.URI;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The notification store contract on {@link JdbcNotificationStore}, and its outbox in the
 * transactions of a {@link JdbcBatchStore}'s flushes, on a freshly migrated database per
 * test.
 */
abstract class JdbcNotificationStoreContract extends NotificationStoreContract {

    HikariDataSource dataSource;

    private JdbcNotificationStore store;

    private JdbcBatchStore batches;

    abstract HikariDataSource freshDatabase();

    @BeforeEach
    void migrate() {
        dataSource = freshDatabase();
        TestDatabases.flyway(dataSource).migrate();
        store = new JdbcNotificationStore(dataSource, JSON, PAYLOADS, UUID::randomUUID, RETRY_FOR, clock);
        // A long interval: only the test's flushes write.
        batches = new JdbcBatchStore(dataSource, JSON, Duration.ofSeconds(30), 1000, WriteFence.NONE, store);
    }

    @AfterEach
    void closeAll() {
        batches.close();
        dataSource.close();
    }

    @Override
    NotificationStore store() {
        return store;
    }

    @Test
    void aFlushWhoseTransactionFailsRecordsNothingAndTheNextRecordsEachEventOnce() {
        Batch failed = createdThenFailed(target("https://a.example/hook", NotificationEvent.BATCH_FAILED,
                NotificationEvent.BATCH_FIRST_FAILURE, NotificationEvent.BATCH_FINISHED));
        batches.beforeFlushWrite(() -> {
            throw new TransientDataAccessResourceException("the database went away");
        });

        batches.flush();

        assertThat(rows(failed)).isZero();
        assertThat(storedState(failed)).isEqualTo("QUEUED");
        assertThat(store.findByBatch(failed.id())).isEmpty();

        batches.beforeFlushWrite(() -> {
        });
        batches.flush();

        assertThat(storedState(failed)).isEqualTo("FAILED");
        assertThat(store.findByBatch(failed.id())).extracting(Notification::event)
            .containsExactlyInAnyOrder(NotificationEvent.BATCH_FAILED, NotificationEvent.BATCH_FIRST_FAILURE,
                    NotificationEvent.BATCH_FINISHED);
    }

    /**
     * A flush writes two batches in one transaction; recording the second one's
     * notification fails, after the first one's were inserted. The whole transaction
     * rolls back: the first batch's notifications with it, so writing it again alone
     * records them once, and the second batch's change stays unwritten with its
     * notification, until the database takes both.
     */
    @Test
    void aChangeAndTheNotificationsItCausesAreWrittenTogetherOrNotAtAll() {
        new JdbcTemplate(dataSource).execute("ALTER TABLE notification ADD CONSTRAINT test_refuses_url "
                + "CHECK (url <> 'https://refused.example/hook')");
        Batch accepted = createdThenFailed(
                target("https://a.example/hook", NotificationEvent.BATCH_FAILED, NotificationEvent.BATCH_FINISHED));
        Batch refused = createdThenFailed(target("https://refused.example/hook", NotificationEvent.BATCH_FAILED));

        batches.flush();

        assertThat(storedState(accepted)).isEqualTo("FAILED");
        assertThat(rows(accepted)).isEqualTo(2);
        assertThat(storedState(refused)).as("the change is not written without its notification").isEqualTo("QUEUED");
        assertThat(rows(refused)).isZero();

        new JdbcTemplate(dataSource).execute("ALTER TABLE notification DROP CONSTRAINT test_refuses_url");
        batches.flush();

        assertThat(storedState(refused)).isEqualTo("FAILED");
        assertThat(rows(refused)).isEqualTo(1);
        assertThat(rows(accepted)).isEqualTo(2);
    }

    @Test
    void theSameTerminalVersionWrittenManyTimesIsRecordedOnceEvenByAnotherProcess() {
        Batch failed = createdThenFailed(target("https://a.example/hook", NotificationEvent.BATCH_FAILED));
        for (int i = 0; i < 5; i++) {
            batches.update(failed, List.of());
            batches.flush();
            batches.flush(failed.id());
        }
        // A restarted process remembers nothing, and asks the table.
        var restarted = new JdbcNotificationStore(dataSource, JSON, PAYLOADS, UUID::randomUUID, RETRY_FOR, clock);
        var restartedBatches = new JdbcBatchStore(dataSource, JSON, Duration.ofSeconds(30), 1000, WriteFence.NONE,
                restarted);
        try {
            restartedBatches.update(failed, List.of());
            restartedBatches.flush();
            restarted.record(failed);
        }
        finally {
            restartedBatches.close();
        }

        assertThat(rows(failed)).isEqualTo(1);
    }

    /**
     * A client may delete a batch the moment it reads it terminal, while its last change
     * is still buffered: its notifications are recorded all the same.
     */
    @Test
    void aBatchDeletedBeforeItsEndWasWrittenStillRecordsItsNotifications() {
        Batch failed = createdThenFailed(
                target("https://a.example/hook", NotificationEvent.BATCH_FAILED, NotificationEvent.BATCH_FINISHED));

        assertThat(batches.delete(failed.id())).isTrue();

        assertThat(batches.findBatch(failed.id())).isEmpty();
        assertThat(store.findByBatch(failed.id())).extracting(Notification::event)
            .containsExactlyInAnyOrder(NotificationEvent.BATCH_FAILED, NotificationEvent.BATCH_FINISHED);
        batches.flush();
        assertThat(rows(failed)).isEqualTo(2);
    }

    @Test
    void aSecretAndHeadersAreStoredToSignAndSend() {
        var secret = "whsec_" + "C".repeat(43) + "=";
        var target = new NotificationTarget(URI.create("https://a.example/hook?token=t"),
                EnumSet.of(NotificationEvent.BATCH_FAILED), secret, JSON.createObjectNode().put("X-Team", "data"));
        Batch failed = createdThenFailed(target);
        batches.flush();

        assertThat(batches.findBatch(failed.id()).orElseThrow().spec().notifications()).containsExactly(target);
        assertThat(store.findByBatch(failed.id())).singleElement().satisfies(n -> {
            assertThat(n.secret()).isEqualTo(secret);
            assertThat(n.url()).isEqualTo(target.url());
            assertThat(n.headers()).isEqualTo(target.headers());
            assertThat(n.toString()).doesNotContain(secret, "token=t", "data");
        });
    }

    /**
     * Creates a QUEUED batch with two jobs, then buffers its FAILED version: one failed.
     */
    private Batch createdThenFailed(NotificationTarget... targets) {
        TestBatches.BatchBuilder queued = aBatch().notifications(List.of(targets)).withJobs(aJob("bad"), aJob("next"));
        Batch created = queued.build();
        batches.create(created, queued.jobs());
        Job bad = aJob(queued.jobs().get(0).spec()).failed().build();
        Job next = aJob(queued.jobs().get(1).spec()).skipped().build();
        Batch failed = aBatchLike(created)
            .counts(created.counts().moved(JobState.PENDING, JobState.FAILED).moved(JobState.PENDING, JobState.SKIPPED))
            .failed()
            .build();
        batches.update(failed, List.of(bad, next));
        return failed;
    }

    private long rows(Batch batch) {
        return JdbcClient.create(dataSource)
            .sql("SELECT COUNT(*) FROM notification WHERE batch_id = ?")
            .param(batch.id())
            .query(Long.class)
            .single();
    }

    private String storedState(Batch batch) {
        return JdbcClient.create(dataSource)
            .sql("SELECT state FROM batch WHERE id = ?")
            .param(batch.id())
            .query(String.class)
            .single();
    }

}
