package dev.failfast.store;

import dev.failfast.batch.Batch;
import dev.failfast.batch.Job;
import dev.failfast.batch.JobState;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.dao.NonTransientDataAccessException;
import org.springframework.dao.NonTransientDataAccessResourceException;
import org.springframework.jdbc.core.BatchPreparedStatementSetter;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * Keeps batches and jobs in a relational database (H2 or PostgreSQL; schema by Flyway).
 *
 * <p>{@link #create} writes the batch and all its jobs at once, in one transaction of JDBC batch
 * inserts, before it returns: an accepted batch is stored. Job and batch changes ({@link #update})
 * go to a {@link WriteBehindBuffer} that a background thread writes every {@code flushInterval}
 * (sooner once {@code flushBatchSize} jobs are waiting), coalescing repeated changes of a job and
 * writing each flush as JDBC batch updates in one transaction. The batch row carries the job
 * counters, so a status read is one row whatever the number of jobs.
 *
 * <p>Reads stay consistent with the buffer: {@link #findBatch} and {@link #findJob} answer from the
 * buffer when it holds the batch or job; list reads ({@link #findJobs}, {@link #findBatches}) of
 * data still buffered flush first, or wait for the flush writing it. Flushes start on a fixed
 * cadence, one interval after the previous one started, so a kill -9 loses at most the changes of
 * the last flush interval plus the time of the flush in progress; {@link #flush(UUID)} writes a
 * batch's changes before it returns, and {@link #close()} (on shutdown) writes them all.
 *
 * <p>Every write transaction runs the {@link WriteFence} first: on PostgreSQL, a process that lost
 * its instance lease writes nothing more.
 */
public final class JdbcBatchStore implements BatchStore, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(JdbcBatchStore.class);
    private static final String UNFINISHED_STATES = "('QUEUED', 'RUNNING', 'CANCELLING')";

    private final JdbcTemplate jdbc;
    private final JdbcClient client;
    private final TransactionTemplate tx;
    private final JdbcRows rows;
    private final WriteFence fence;
    private final WriteBehindBuffer buffer = new WriteBehindBuffer();
    /** Batches whose last write the database refused. Guarded by flushLock. */
    private final Set<UUID> refused = new HashSet<>();
    private final Duration flushInterval;
    private final int flushBatchSize;
    private final ReentrantLock flushLock = new ReentrantLock();
    /** A permit asks the flusher to flush before its interval is up; one released mid-flush is kept, not lost. */
    private final Semaphore flushWanted = new Semaphore(0);
    private final Thread flusher;
    private volatile boolean closed;
    /**
     * Test hook: runs in every write of buffered changes (a flush, a durable update), holding the
     * flush lock, in the write's transaction after the fence check and before the rows are written,
     * so that a test can hold a write in progress. Does nothing in the service.
     */
    volatile Runnable beforeFlushWrite = () -> {};

    /**
     * @param dataSource a database migrated by this application's Flyway scripts
     * @param json writes and reads the JSON columns (params, results, labels)
     * @param flushInterval how often the write-behind buffer is written: a flush starts this long
     *     after the previous one started
     * @param flushBatchSize job rows per JDBC batch; this many buffered jobs start a flush early
     */
    public JdbcBatchStore(DataSource dataSource, JsonMapper json, Duration flushInterval, int flushBatchSize) {
        this(dataSource, json, flushInterval, flushBatchSize, WriteFence.NONE);
    }

    /**
     * @param dataSource a database migrated by this application's Flyway scripts
     * @param json writes and reads the JSON columns (params, results, labels)
     * @param flushInterval how often the write-behind buffer is written: a flush starts this long
     *     after the previous one started
     * @param flushBatchSize job rows per JDBC batch; this many buffered jobs start a flush early
     * @param fence checked first in every write transaction: writes commit only while this process
     *     holds the database (see {@link InstanceLease#fence()})
     */
    public JdbcBatchStore(DataSource dataSource, JsonMapper json, Duration flushInterval, int flushBatchSize,
            WriteFence fence) {
        this.fence = fence;
        this.jdbc = new JdbcTemplate(dataSource);
        this.client = JdbcClient.create(jdbc);
        this.tx = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        this.rows = new JdbcRows(json);
        this.flushInterval = flushInterval;
        this.flushBatchSize = flushBatchSize;
        this.flusher = Thread.ofPlatform().name("failfast-store-flush").daemon().unstarted(this::flushLoop);
        flusher.start();
    }

    @Override
    public void create(Batch batch, List<Job> jobs, @Nullable IdempotencyKey key) {
        try {
            tx.executeWithoutResult(status -> {
                fence.check(client);
                jdbc.update(JdbcRows.INSERT_BATCH, ps -> rows.setBatchInsert(ps, batch, key));
                List<Map.Entry<String, String>> labels =
                        List.copyOf(JdbcRows.storable(batch.spec().labels()).entrySet());
                batchUpdate(JdbcRows.INSERT_LABEL, labels.size(), (ps, i) -> {
                    ps.setObject(1, batch.id());
                    ps.setString(2, labels.get(i).getKey());
                    ps.setString(3, labels.get(i).getValue());
                });
                batchUpdate(JdbcRows.INSERT_JOB, jobs.size(), (ps, i) -> rows.setJobInsert(ps, batch.id(), i, jobs.get(i)));
            });
        } catch (DuplicateKeyException e) {
            if (key != null && findByIdempotencyKey(key.key()).isPresent()) {
                throw new DuplicateIdempotencyKeyException(key.key());
            }
            throw e;
        }
    }

    @Override
    public void update(Batch batch, List<Job> changedJobs) {
        int buffered = buffer.add(batch, changedJobs);
        if (buffered >= flushBatchSize && buffered - changedJobs.size() < flushBatchSize) {
            flushWanted.release();
        }
    }

    /**
     * Buffers the change, then, holding the flush lock, takes this batch's buffered entry (the
     * change coalesced with what was waiting) and writes it in one transaction, fenced like every
     * write. Holding the flush lock keeps the order of writes: a flush in progress, which may be
     * writing an older version of this batch, commits first, and no flush writes this batch while
     * this one does. So it may wait for a flush in progress to end. If the write fails, the entry
     * goes back to the buffer, under any newer change, and the next flush writes it.
     */
    @Override
    public void flush(UUID batchId) {
        flushLock.lock();
        try {
            WriteBehindBuffer.Pending pending = buffer.beginFlush(batchId);
            if (pending == null) {
                return; // nothing buffered, or the flush that held the lock wrote it
            }
            try {
                write(List.of(pending));
                buffer.flushCommitted(batchId);
                refused.remove(batchId);
            } finally {
                buffer.flushEnded();
            }
        } finally {
            flushLock.unlock();
        }
    }

    @Override
    public Optional<Batch> findBatch(UUID id) {
        Batch buffered = buffer.batch(id);
        if (buffered != null) {
            return Optional.of(buffered);
        }
        return client.sql("SELECT * FROM batch WHERE id = ?").param(id).query(rows::batch).optional();
    }

    @Override
    public Page<Batch> findBatches(BatchQuery query, PageRequest page) {
        flushIfBuffered();
        StringBuilder where = new StringBuilder(" WHERE 1 = 1");
        List<Object> params = new ArrayList<>();
        if (query.state() != null) {
            where.append(" AND b.state = ?");
            params.add(query.state().name());
        }
        query.labels().forEach((key, value) -> {
            where.append(" AND EXISTS (SELECT 1 FROM batch_label l WHERE l.batch_id = b.id AND l.label_key = ? AND l.label_value = ?)");
            params.add(key);
            params.add(value);
        });
        long total = client.sql("SELECT COUNT(*) FROM batch b" + where).params(params).query(Long.class).single();
        List<Object> pageParams = new ArrayList<>(params);
        pageParams.add(page.size());
        pageParams.add(page.offset());
        List<Batch> content = client.sql("SELECT b.* FROM batch b" + where + " ORDER BY b.id DESC LIMIT ? OFFSET ?")
                .params(pageParams).query(rows::batch).list();
        return new Page<>(content, page, total);
    }

    @Override
    public Page<Job> findJobs(UUID batchId, @Nullable JobState state, PageRequest page) {
        if (buffer.holds(batchId)) {
            flush();
        }
        Optional<Batch> batch = findBatch(batchId);
        if (batch.isEmpty()) {
            return new Page<>(List.of(), page, 0);
        }
        String filter = state == null ? "" : " AND state = ?";
        List<Object> params = new ArrayList<>(List.of(batchId));
        if (state != null) {
            params.add(state.name());
        }
        params.add(page.size());
        params.add(page.offset());
        List<Job> content = client.sql("SELECT * FROM job WHERE batch_id = ?" + filter + " ORDER BY seq LIMIT ? OFFSET ?")
                .params(params).query(rows::job).list();
        long total = state == null ? batch.get().counts().total() : batch.get().counts().of(state);
        return new Page<>(content, page, total);
    }

    @Override
    public Optional<Job> findJob(UUID batchId, String jobId) {
        Job buffered = buffer.job(batchId, jobId);
        if (buffered != null) {
            return Optional.of(buffered);
        }
        return client.sql("SELECT * FROM job WHERE batch_id = ? AND id = ?").params(batchId, jobId)
                .query(rows::job).optional();
    }

    @Override
    public Optional<KeyedBatch> findByIdempotencyKey(String key) {
        return client.sql("SELECT id, request_fingerprint FROM batch WHERE idempotency_key = ?").param(key)
                .query(rows::keyedBatch).optional();
    }

    @Override
    public boolean delete(UUID id) {
        flushLock.lock();
        try {
            boolean deleted = Boolean.TRUE.equals(tx.execute(status -> {
                fence.check(client);
                return client.sql("DELETE FROM batch WHERE id = ?").param(id).update() > 0;
            }));
            buffer.discard(id);
            refused.remove(id);
            return deleted;
        } finally {
            flushLock.unlock();
        }
    }

    @Override
    public List<Batch> findUnfinished() {
        flushIfBuffered();
        return client.sql("SELECT * FROM batch WHERE state IN " + UNFINISHED_STATES + " ORDER BY id")
                .query(rows::batch).list();
    }

    /**
     * Writes the buffer, then deletes, without the flush lock: a cascading DELETE of many jobs, or
     * one waiting for a row lock, holds up no flush. That is safe because the rows it deletes are
     * of batches terminal in the database and finished before {@code cutoff}, and a terminal batch
     * is never changed again, so no buffered change can be theirs. Were one there, its flush would
     * be an UPDATE that matches no row: nothing comes back, and nothing fails. A flush and the
     * purge write disjoint rows, so neither waits for the other's row locks.
     */
    @Override
    public int deleteFinishedBefore(Instant cutoff) {
        flush();
        Integer deleted = tx.execute(status -> {
            fence.check(client);
            return client.sql("DELETE FROM batch WHERE state IN " + JdbcRows.TERMINAL_STATES
                    + " AND finished_at < ?").param(cutoff.atOffset(ZoneOffset.UTC)).update();
        });
        return deleted == null ? 0 : deleted;
    }

    /**
     * Writes every buffered change now, in one transaction. If the database refuses the data (not
     * when it is unreachable), writes each batch in a transaction of its own, so one batch it
     * refuses does not hold up the others. A refused batch stays buffered, and is written on its
     * own at later flushes, until the database takes it.
     */
    @Override
    public void flush() {
        flushLock.lock();
        try {
            if (buffer.isEmpty()) {
                return;
            }
            List<WriteBehindBuffer.Pending> together = new ArrayList<>();
            List<WriteBehindBuffer.Pending> alone = new ArrayList<>();
            for (WriteBehindBuffer.Pending pending : buffer.beginFlush()) {
                (refused.contains(pending.batch.id()) ? alone : together).add(pending);
            }
            try {
                if (!together.isEmpty() && refusal(together) != null) {
                    alone.addAll(together); // refused as a whole: one at a time finds the batch at fault
                } else {
                    together.forEach(batch -> buffer.flushCommitted(batch.batch.id()));
                }
                writeEachAlone(alone);
            } catch (DataAccessException e) {
                log.error("Writing buffered batch changes failed; retrying at the next flush", e);
            } catch (WriteFencedException e) {
                // The lease is lost (the service halts) or was released: nothing more may be written.
                log.error("Buffered batch changes are not written: {}", e.getMessage());
            } finally {
                buffer.flushEnded();
            }
        } finally {
            flushLock.unlock();
        }
    }

    /**
     * Writes each batch in a transaction of its own, and logs those the database refuses. Throws at
     * an error that is not a refusal (the database is gone), leaving the rest for the next flush.
     */
    private void writeEachAlone(List<WriteBehindBuffer.Pending> pending) {
        for (WriteBehindBuffer.Pending batch : pending) {
            UUID id = batch.batch.id();
            DataAccessException refusal = refusal(List.of(batch));
            if (refusal == null) {
                buffer.flushCommitted(id);
                refused.remove(id);
            } else {
                logRefused(id, refusal);
            }
        }
    }

    /**
     * Writes these batches in one transaction. Returns null once they are written, or the error if
     * the database refused the data; throws if it could not be reached.
     */
    private @Nullable DataAccessException refusal(List<WriteBehindBuffer.Pending> pending) {
        try {
            write(pending);
            return null;
        } catch (DataAccessException e) {
            boolean refusesData = e instanceof NonTransientDataAccessException
                    && !(e instanceof NonTransientDataAccessResourceException);
            if (!refusesData) {
                throw e;
            }
            return e;
        }
    }

    /** Logs a batch the database refuses once as an error, then quietly at each retry. */
    private void logRefused(UUID batchId, DataAccessException e) {
        if (refused.add(batchId)) {
            log.error("The database refuses the changes of batch {}; they stay buffered and are retried at each flush",
                    batchId, e);
        } else {
            log.debug("The database still refuses the changes of batch {}: {}", batchId, e.toString());
        }
    }

    /** Stops the background flusher and writes what is still buffered. */
    @Override
    public void close() {
        closed = true;
        flushWanted.release();
        try {
            flusher.join(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        flush();
    }

    private void write(List<WriteBehindBuffer.Pending> pending) {
        List<Job> jobs = new ArrayList<>();
        List<UUID> jobBatches = new ArrayList<>();
        for (WriteBehindBuffer.Pending p : pending) {
            for (Job job : p.jobs.values()) {
                jobs.add(job);
                jobBatches.add(p.batch.id());
            }
        }
        tx.executeWithoutResult(status -> {
            fence.check(client);
            beforeFlushWrite.run();
            batchUpdate(JdbcRows.UPDATE_BATCH, pending.size(), (ps, i) -> rows.setBatchUpdate(ps, pending.get(i).batch));
            batchUpdate(JdbcRows.UPDATE_JOB, jobs.size(), (ps, i) -> rows.setJobUpdate(ps, jobBatches.get(i), jobs.get(i)));
        });
    }

    /** For tests: whether a thread waits for the flush lock (for a flush in progress to end). */
    boolean hasFlushWaiters() {
        return flushLock.hasQueuedThreads();
    }

    /**
     * Before a list read: writes what is buffered, or waits for the flush in progress to commit it,
     * so that the query sees every change a single read ({@link #findBatch}) may already have served
     * from the buffer. Looks at the waiting changes first: a flush puts them into "flushing" before
     * they leave "waiting", so one of the two looks finds them.
     */
    private void flushIfBuffered() {
        if (!buffer.isEmpty() || buffer.isFlushing()) {
            flush();
        }
    }

    /**
     * Flushes on a fixed cadence: each flush is due one interval after the previous one started,
     * not ended, so the time a flush takes is not added to the wait of the changes that came
     * meanwhile. A change waits for the flush that writes it to start at most one interval, or, if
     * the flush in progress takes longer, until that one ends; the next then starts at once. A full
     * buffer ({@code flushBatchSize}) starts one early.
     */
    private void flushLoop() {
        long interval = flushInterval.toNanos();
        long due = System.nanoTime() + interval;
        while (!closed) {
            try {
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    flushWanted.tryAcquire(wait, TimeUnit.NANOSECONDS);
                }
                flushWanted.drainPermits();
            } catch (InterruptedException e) {
                return;
            }
            long started = System.nanoTime();
            try {
                flush();
            } catch (RuntimeException e) {
                log.error("Store flush failed", e);
            }
            due = started + interval;
        }
    }

    /** Runs {@code sql} for rows 0..count-1 as JDBC batches of at most {@code flushBatchSize} rows. */
    private void batchUpdate(String sql, int count, RowSetter setter) {
        for (int from = 0; from < count; from += flushBatchSize) {
            int offset = from;
            int size = Math.min(flushBatchSize, count - from);
            jdbc.batchUpdate(sql, new BatchPreparedStatementSetter() {
                @Override
                public void setValues(PreparedStatement ps, int i) throws SQLException {
                    setter.set(ps, offset + i);
                }

                @Override
                public int getBatchSize() {
                    return size;
                }
            });
        }
    }

    @FunctionalInterface
    private interface RowSetter {
        void set(PreparedStatement ps, int row) throws SQLException;
    }
}
