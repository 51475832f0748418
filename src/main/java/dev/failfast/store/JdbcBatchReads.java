package dev.failfast.store;

import dev.failfast.batch.Batch;
import dev.failfast.batch.Job;
import dev.failfast.batch.JobState;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The queries of a {@link JdbcBatchStore}. They read the database only: answering from
 * the write-behind buffer, or flushing it first, is the store's business.
 */
final class JdbcBatchReads {

    private static final String UNFINISHED_STATES = "('QUEUED', 'RUNNING', 'CANCELLING')";

    private static final String HAS_LABEL = " AND EXISTS (SELECT 1 FROM batch_label l"
            + " WHERE l.batch_id = b.id AND l.label_key = ? AND l.label_value = ?)";

    private final JdbcClient client;

    private final JdbcRows rows;

    JdbcBatchReads(JdbcClient client, JdbcRows rows) {
        this.client = client;
        this.rows = rows;
    }

    Optional<Batch> batch(UUID id) {
        return client.sql("SELECT * FROM batch WHERE id = ?").param(id).query(rows::batch).optional();
    }

    Page<Batch> batches(BatchQuery query, PageRequest page) {
        StringBuilder where = new StringBuilder(" WHERE 1 = 1");
        List<Object> params = new ArrayList<>();
        if (query.tenant() != null) {
            where.append(" AND b.tenant = ?");
            params.add(query.tenant());
        }
        if (query.state() != null) {
            where.append(" AND b.state = ?");
            params.add(query.state().name());
        }
        query.labels().forEach((key, value) -> {
            where.append(HAS_LABEL);
            params.add(key);
            params.add(value);
        });
        long total = client.sql("SELECT COUNT(*) FROM batch b" + where).params(params).query(Long.class).single();
        List<Object> pageParams = new ArrayList<>(params);
        pageParams.add(page.size());
        pageParams.add(page.offset());
        List<Batch> content = client.sql("SELECT b.* FROM batch b" + where + " ORDER BY b.id DESC LIMIT ? OFFSET ?")
            .params(pageParams)
            .query(rows::batch)
            .list();
        return new Page<>(content, page, total);
    }

    /**
     * A page of the batch's jobs; the total comes from {@code batch}'s counters. Without
     * a state filter the page is read by position ({@code seq} runs from 0 in submission
     * order), so the last page of a 100 000-job batch costs what the first does; with
     * one, the offset is skipped within the batch's rows, which the batch's size bounds.
     * Without {@code withHistory} the attempt history column is not read at all.
     */
    Page<Job> jobs(Batch batch, @Nullable JobState state, PageRequest page, boolean withHistory) {
        List<Object> params = new ArrayList<>(List.of(batch.id()));
        String columns = withHistory ? "*" : JdbcRows.LISTED_JOB_COLUMNS;
        String sql;
        if (state == null) {
            sql = "SELECT " + columns + " FROM job WHERE batch_id = ? AND seq >= ? ORDER BY seq LIMIT ?";
            params.add(page.offset());
            params.add(page.size());
        }
        else {
            sql = "SELECT " + columns + " FROM job WHERE batch_id = ? AND state = ? ORDER BY seq LIMIT ? OFFSET ?";
            params.add(state.name());
            params.add(page.size());
            params.add(page.offset());
        }
        List<Job> content = client.sql(sql).params(params).query(withHistory ? rows::job : rows::listedJob).list();
        long total = state == null ? batch.counts().total() : batch.counts().of(state);
        return new Page<>(content, page, total);
    }

    Optional<Job> job(UUID batchId, String jobId) {
        return client.sql("SELECT * FROM job WHERE batch_id = ? AND id = ?")
            .params(batchId, jobId)
            .query(rows::job)
            .optional();
    }

    Optional<KeyedBatch> byIdempotencyKey(String tenant, String key) {
        return client.sql("SELECT id, request_fingerprint FROM batch WHERE tenant = ? AND idempotency_key = ?")
            .params(tenant, key)
            .query(rows::keyedBatch)
            .optional();
    }

    /**
     * Reads the instance lease's one row (migration V5): proves the connection and the
     * schema, at the cost of a primary-key lookup whatever the batches held.
     */
    void ping() {
        client.sql("SELECT id FROM instance_lease WHERE id = 1").query(Integer.class).optional();
    }

    List<Batch> unfinished() {
        return client.sql("SELECT * FROM batch WHERE state IN " + UNFINISHED_STATES + " ORDER BY id")
            .query(rows::batch)
            .list();
    }

}
