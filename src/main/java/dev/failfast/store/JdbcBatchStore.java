package dev.failfast.store;

import dev.failfast.batch.Batch;
import dev.failfast.batch.Job;
import dev.failfast.batch.JobState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * Keeps batches and jobs in a relational database (H2 or PostgreSQL; schema by Flyway).
 *
 * <p>
 * {@link #create} writes the batch and all its jobs at once, in one transaction of JDBC
 * batch inserts, before it returns: an accepted batch is stored. Job and batch changes
 * ({@link #update}) go to a {@link WriteBehindBuffer} that a background thread writes
 * every {@code flushInterval} (sooner once {@code flushBatchSize} jobs are waiting),
 * coalescing repeated changes of a job and writing each flush as JDBC batch updates in
 * one transaction. The batch row carries the job counters, so a status read is one row
 * whatever the number of jobs.
 *
 * <p>
 * Reads stay consistent with the buffer: {@link #findBatch} and {@link #findJob} answer
 * from the buffer when it holds the batch or job; list reads ({@link #findJobs},
 * {@link #findBatches}) of data still buffered flush first, or wait for the flush writing
 * it. Flushes start on a fixed cadence, one interval after the previous one started, so a
 * kill -9 loses at most the changes of the last flush interval plus the time of the flush
 * in progress; {@link #flush(UUID)} writes a batch's changes before it returns, and
 * {@link #close()} (on shutdown) writes them all.
 *
 * <p>
 * Every write transaction runs the {@link WriteFence} first: on PostgreSQL, a process
 * that lost its instance lease writes nothing more.
 *
 * <p>
 * This class answers the {@link BatchStore} calls and keeps the reads consistent with the
 * buffer; {@link BufferFlusher} decides when buffered changes are written,
 * {@link JdbcWrites} runs the fenced write transactions and {@link JdbcBatchReads} the
 * queries.
 */
public final class JdbcBatchStore implements BatchStore, AutoCloseable {

    private final WriteBehindBuffer buffer = new WriteBehindBuffer();

    private final JdbcWrites writes;

    private final JdbcBatchReads reads;

    private final BufferFlusher flusher;

    /**
     * @param dataSource a database migrated by this application's Flyway scripts
     * @param json writes and reads the JSON columns (params, results, labels)
     * @param flushInterval how often the write-behind buffer is written: a flush starts
     * this long after the previous one started
     * @param flushBatchSize job rows per JDBC batch; this many buffered jobs start a
     * flush early
     */
    public JdbcBatchStore(DataSource dataSource, JsonMapper json, Duration flushInterval, int flushBatchSize) {
        this(dataSource, json, flushInterval, flushBatchSize, WriteFence.NONE);
    }

    /**
     * @param dataSource a database migrated by this application's Flyway scripts
     * @param json writes and reads the JSON columns (params, results, labels)
     * @param flushInterval how often the write-behind buffer is written: a flush starts
     * this long after the previous one started
     * @param flushBatchSize job rows per JDBC batch; this many buffered jobs start a
     * flush early
     * @param fence checked first in every write transaction: writes commit only while
     * this process holds the database (see {@link InstanceLease#fence()})
     */
    public JdbcBatchStore(DataSource dataSource, JsonMapper json, Duration flushInterval, int flushBatchSize,
            WriteFence fence) {
        this(dataSource, json, flushInterval, flushBatchSize, fence, Outbox.NONE);
    }

    /**
     * @param dataSource a database migrated by this application's Flyway scripts
     * @param json writes and reads the JSON columns (params, results, labels)
     * @param flushInterval how often the write-behind buffer is written: a flush starts
     * this long after the previous one started
     * @param flushBatchSize job rows per JDBC batch; this many buffered jobs start a
     * flush early
     * @param fence checked first in every write transaction: writes commit only while
     * this process holds the database (see {@link InstanceLease#fence()})
     * @param outbox records, in each flush's transaction, the notifications of the batch
     * versions it writes
     */
    public JdbcBatchStore(DataSource dataSource, JsonMapper json, Duration flushInterval, int flushBatchSize,
            WriteFence fence, Outbox outbox) {
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        JdbcRows rows = new JdbcRows(json);
        var tx = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        this.writes = new JdbcWrites(jdbc, tx, rows, fence, flushBatchSize, outbox);
        this.reads = new JdbcBatchReads(JdbcClient.create(jdbc), rows);
        this.flusher = new BufferFlusher(buffer, writes, flushInterval, flushBatchSize);
        flusher.start();
    }

    @Override
    public void create(Batch batch, List<Job> jobs, @Nullable IdempotencyKey key) {
        try {
            writes.insert(batch, jobs, key);
        }
        catch (DuplicateKeyException e) {
            if (key != null && findByIdempotencyKey(batch.owner().tenant(), key.key()).isPresent()) {
                throw new DuplicateIdempotencyKeyException(key.key());
            }
            throw e;
        }
    }

    @Override
    public void update(Batch batch, List<Job> changedJobs) {
        flusher.add(batch, changedJobs);
    }

    @Override
    public void flush(UUID batchId) {
        flusher.flush(batchId);
    }

    @Override
    public Optional<Batch> findBatch(UUID id) {
        Batch buffered = buffer.batch(id);
        if (buffered != null) {
            return Optional.of(buffered);
        }
        return reads.batch(id);
    }

    /** One constant-time query on the instance lease's single row; no flush. */
    @Override
    public void checkAvailable() {
        reads.ping();
    }

    @Override
    public Page<Batch> findBatches(BatchQuery query, PageRequest page) {
        flushIfBuffered();
        return reads.batches(query, page);
    }

    @Override
    public Page<Job> findJobs(UUID batchId, @Nullable JobState state, PageRequest page) {
        return jobs(batchId, state, page, true);
    }

    /** Reads no attempt history at all. */
    @Override
    public Page<Job> listJobs(UUID batchId, @Nullable JobState state, PageRequest page) {
        return jobs(batchId, state, page, false);
    }

    private Page<Job> jobs(UUID batchId, @Nullable JobState state, PageRequest page, boolean withHistory) {
        if (buffer.holds(batchId)) {
            flush();
        }
        Optional<Batch> batch = findBatch(batchId);
        if (batch.isEmpty()) {
            return new Page<>(List.of(), page, 0);
        }
        return reads.jobs(batch.get(), state, page, withHistory);
    }

    @Override
    public Optional<Job> findJob(UUID batchId, String jobId) {
        Job buffered = buffer.job(batchId, jobId);
        if (buffered != null) {
            return Optional.of(buffered);
        }
        return reads.job(batchId, jobId);
    }

    @Override
    public Optional<KeyedBatch> findByIdempotencyKey(String tenant, String key) {
        return reads.byIdempotencyKey(tenant, key);
    }

    @Override
    public boolean delete(UUID id) {
        return flusher.delete(id);
    }

    @Override
    public List<Batch> findUnfinished() {
        flushIfBuffered();
        return reads.unfinished();
    }

    /**
     * Writes the buffer, then deletes, without the flush lock: a cascading DELETE of many
     * jobs, or one waiting for a row lock, holds up no flush. That is safe because the
     * rows it deletes are of batches terminal in the database and finished before
     * {@code cutoff}, and a terminal batch is never changed again, so no buffered change
     * can be theirs. Were one there, its flush would be an UPDATE that matches no row:
     * nothing comes back, and nothing fails. A flush and the purge write disjoint rows,
     * so neither waits for the other's row locks.
     */
    @Override
    public int deleteFinishedBefore(Instant cutoff) {
        flush();
        return writes.deleteFinishedBefore(cutoff);
    }

    @Override
    public void flush() {
        flusher.flush();
    }

    @Override
    public boolean holdsUnwritten() {
        return !buffer.isEmpty();
    }

    /** Stops the background flusher and writes what is still buffered. */
    @Override
    public void close() {
        flusher.close();
    }

    /**
     * For tests: sets the hook {@link JdbcWrites#beforeFlushWrite}, to hold a write of
     * buffered changes.
     */
    void beforeFlushWrite(Runnable hook) {
        writes.beforeFlushWrite = hook;
    }

    /**
     * For tests: whether a thread waits for the flush lock (for a flush in progress to
     * end).
     */
    boolean hasFlushWaiters() {
        return flusher.hasFlushWaiters();
    }

    /**
     * Before a list read: writes what is buffered, or waits for the flush in progress to
     * commit it, so that the query sees every change a single read ({@link #findBatch})
     * may already have served from the buffer. Looks at the waiting changes first: a
     * flush puts them into "flushing" before they leave "waiting", so one of the two
     * looks finds them.
     */
    private void flushIfBuffered() {
        if (!buffer.isEmpty() || buffer.isFlushing()) {
            flush();
        }
    }

}
