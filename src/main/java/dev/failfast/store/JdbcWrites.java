package dev.failfast.store;

import dev.failfast.batch.Batch;
import dev.failfast.batch.Job;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.BatchPreparedStatementSetter;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The write transactions of a {@link JdbcBatchStore}, each of which runs the
 * {@link WriteFence} first: on PostgreSQL, a process that lost its instance lease writes
 * nothing more. Rows go as JDBC batches of at most {@code batchSize} rows. When buffered
 * changes are written, and in which order, is the {@link BufferFlusher}'s business.
 */
final class JdbcWrites {

    private final JdbcTemplate jdbc;

    private final JdbcClient client;

    private final TransactionTemplate tx;

    private final JdbcRows rows;

    private final WriteFence fence;

    private final int batchSize;

    private final Outbox outbox;

    /**
     * Test hook: runs in every write of buffered changes (a flush of all, or of one
     * batch), holding the flush lock, in the write's transaction after the fence check
     * and before the rows are written, so that a test can hold a write in progress. Does
     * nothing in the service.
     */
    volatile Runnable beforeFlushWrite = () -> {
    };

    JdbcWrites(JdbcTemplate jdbc, TransactionTemplate tx, JdbcRows rows, WriteFence fence, int batchSize,
            Outbox outbox) {
        this.jdbc = jdbc;
        this.client = JdbcClient.create(jdbc);
        this.tx = tx;
        this.rows = rows;
        this.fence = fence;
        this.batchSize = batchSize;
        this.outbox = outbox;
    }

    /** Inserts the batch, its labels and all its jobs in one transaction. */
    void insert(Batch batch, List<Job> jobs, @Nullable IdempotencyKey key) {
        tx.executeWithoutResult(status -> {
            fence.check(client);
            jdbc.update(JdbcRows.INSERT_BATCH, ps -> rows.setBatchInsert(ps, batch, key));
            List<Map.Entry<String, String>> labels = List.copyOf(JdbcRows.storable(batch.spec().labels()).entrySet());
            batchUpdate(JdbcRows.INSERT_LABEL, labels.size(), (ps, i) -> {
                ps.setObject(1, batch.id());
                ps.setString(2, labels.get(i).getKey());
                ps.setString(3, labels.get(i).getValue());
            });
            batchUpdate(JdbcRows.INSERT_JOB, jobs.size(), (ps, i) -> rows.setJobInsert(ps, batch.id(), i, jobs.get(i)));
        });
    }

    /**
     * Writes these buffered changes in one transaction, with the notifications the batch
     * versions written cause. The caller holds the flush lock.
     */
    void write(List<WriteBehindBuffer.Pending> pending) {
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
            batchUpdate(JdbcRows.UPDATE_BATCH, pending.size(),
                    (ps, i) -> rows.setBatchUpdate(ps, pending.get(i).batch));
            batchUpdate(JdbcRows.UPDATE_JOB, jobs.size(),
                    (ps, i) -> rows.setJobUpdate(ps, jobBatches.get(i), jobs.get(i)));
            pending.forEach(p -> outbox.record(p.batch));
        });
    }

    /**
     * Deletes the batch (its jobs and labels cascade); returns whether it existed.
     * @param unwritten its last version if it was still buffered: the notifications that
     * version causes are recorded first, in this transaction
     */
    boolean delete(UUID id, @Nullable Batch unwritten) {
        return Boolean.TRUE.equals(tx.execute(status -> {
            fence.check(client);
            if (unwritten != null) {
                outbox.record(unwritten);
            }
            return client.sql("DELETE FROM batch WHERE id = ?").param(id).update() > 0;
        }));
    }

    /**
     * Deletes the terminal batches that finished before {@code cutoff}; returns how many.
     */
    int deleteFinishedBefore(Instant cutoff) {
        Integer deleted = tx.execute(status -> {
            fence.check(client);
            return client.sql("DELETE FROM batch WHERE state IN " + JdbcRows.TERMINAL_STATES + " AND finished_at < ?")
                .param(cutoff.atOffset(ZoneOffset.UTC))
                .update();
        });
        return deleted == null ? 0 : deleted;
    }

    /**
     * Runs {@code sql} for rows 0..count-1 as JDBC batches of at most {@code batchSize}
     * rows.
     */
    private void batchUpdate(String sql, int count, RowSetter setter) {
        for (int from = 0; from < count; from += batchSize) {
            int offset = from;
            int size = Math.min(batchSize, count - from);
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
