package dev.failfast.store;

import static dev.failfast.batch.TestBatches.aBatchLike;
import static dev.failfast.batch.TestJobs.aJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import com.zaxxer.hikari.HikariDataSource;
import dev.failfast.batch.Batch;
import dev.failfast.batch.Job;
import dev.failfast.batch.JobError;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/** The store contract on {@link JdbcBatchStore}, on a freshly migrated database per test. */
abstract class JdbcBatchStoreContract extends BatchStoreContract {

    private HikariDataSource dataSource;
    private JdbcBatchStore store;
    private JdbcBatchStore reopened;

    abstract HikariDataSource freshDatabase();

    @BeforeEach
    void migrate() {
        dataSource = freshDatabase();
        TestDatabases.flyway(dataSource).migrate();
        // A long interval: reads must be right while changes wait in the buffer, not because they were written.
        store = new JdbcBatchStore(dataSource, JSON, Duration.ofSeconds(30), 1000);
    }

    @AfterEach
    void closeAll() {
        store.close();
        if (reopened != null) {
            reopened.close();
        }
        dataSource.close();
    }

    @Override
    BatchStore store() {
        return store;
    }

    /** Closes the store (which writes what it buffers) and opens a new one on the same database. */
    @Override
    BatchStore reopened() {
        store.close();
        if (reopened == null) {
            reopened = new JdbcBatchStore(dataSource, JSON, Duration.ofSeconds(30), 1000);
        }
        return reopened;
    }

    @Test
    void nulCharactersAreStoredAsReplacementCharacters() {
        Batch created = batch(1, Map.of("team", "a\u0000b"), T0);
        Batch batch = aBatchLike(created).named("x\u0000y").maxFailures(0).maxParallelism(1).deadline(null).build();
        List<Job> jobs = jobs(1);
        store().create(batch, jobs);
        Job failed = aJob(jobs.getFirst().spec()).failed().startedAt(T0).finishedAt(T0.plusSeconds(1))
                .error(new JobError(JobError.JOB_ERROR, "bad\u0000byte", null)).build();
        store().update(batch, List.of(failed));

        BatchStore view = reopened();

        assertThat(view.findBatch(batch.id()).orElseThrow().spec().name()).isEqualTo("x\uFFFDy");
        assertThat(view.findBatch(batch.id()).orElseThrow().spec().labels()).containsExactly(entry("team", "a\uFFFDb"));
        assertThat(view.findBatches(new BatchQuery(null, Map.of("team", "a\uFFFDb")), new PageRequest(0, 10)).content())
                .extracting(Batch::id).containsExactly(batch.id());
        assertThat(view.findJob(batch.id(), "job-0").orElseThrow().error().message()).isEqualTo("bad\uFFFDbyte");
    }

    @Test
    void aBatchTheDatabaseRefusesDoesNotHoldUpTheOthers() {
        new JdbcTemplate(dataSource).execute(
                "ALTER TABLE job ADD CONSTRAINT test_refuses_poison CHECK (error_message IS NULL OR error_message <> 'poison')");
        Batch refused = batch(1, Map.of(), T0);
        Batch written = batch(1, Map.of(), T0.plusSeconds(1));
        store().create(refused, jobs(1));
        store().create(written, jobs(1));
        store().update(refused, List.of(failedJob("poison")));
        store().update(written, List.of(failedJob("fine")));

        store().flush();

        var database = new JdbcTemplate(dataSource);
        String messages = "SELECT error_message FROM job WHERE batch_id = ?";
        assertThat(database.queryForList(messages, String.class, written.id())).containsExactly("fine");
        assertThat(database.queryForList(messages, String.class, refused.id())).containsOnlyNulls();
        assertThat(store().findJob(refused.id(), "job-0").orElseThrow().error().message())
                .as("still buffered, and read from the buffer").isEqualTo("poison");

        database.execute("ALTER TABLE job DROP CONSTRAINT test_refuses_poison");
        store().flush();

        assertThat(database.queryForList(messages, String.class, refused.id())).containsExactly("poison");
    }

    private static Job failedJob(String message) {
        return aJob(jobs(1).getFirst().spec()).failed().startedAt(T0).finishedAt(T0.plusSeconds(1))
                .error(new JobError(JobError.JOB_ERROR, message, null)).build();
    }
}
