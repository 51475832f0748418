package dev.failfast.store;

import dev.failfast.batch.Batch;
import dev.failfast.batch.BatchState;
import dev.failfast.batch.Job;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * The database as the source of truth of several Failfast replicas (PostgreSQL only): job claims,
 * changes made under the batch row's lock, node leases and the reads that follow other replicas.
 *
 * <p>Every change of a batch, by any replica, runs in a transaction that first locks the batch's
 * row ({@link #change}); claiming jobs locks it too ({@link #claim}) and claims nothing once the
 * batch has a cause. So the first cause wins across replicas, and no job is claimed after it.
 * Each such transaction bumps the batch's {@code version} and stamps the jobs it changed with it.
 */
public final class ClusterStore {

    private static final Logger log = LoggerFactory.getLogger(ClusterStore.class);

    /** Channel of a batch id whose cause was just recorded: every replica stops its jobs of that batch. */
    public static final String CANCEL_CHANNEL = "failfast_cancel";
    /** Channel telling idle replicas that a batch has jobs ready to claim. */
    public static final String WORK_CHANNEL = "failfast_work";
    /** The owner of RUNNING jobs that no replica claimed: a single instance ran them before cluster mode. */
    public static final String NO_OWNER = "";

    private static final String ACTIVE_STATES = "('QUEUED', 'RUNNING', 'CANCELLING')";

    private static final String CLAIMABLE_BATCH = """
            SELECT * FROM batch
            WHERE state IN ('QUEUED', 'RUNNING') AND cause IS NULL AND jobs_pending > 0
                AND jobs_running < max_parallelism
            ORDER BY last_claimed_at NULLS FIRST, id
            LIMIT 1
            FOR UPDATE""";

    /**
     * The next PENDING jobs from a position on. Jobs are claimed in order, so those just past the
     * cursor are nearly all PENDING: looking at a window of them (not at every job after it, which
     * a plan for any parameters might do) keeps a claim's cost the same for 100 000 jobs as for 100.
     * The rows are then updated by their physical address (ctid), which no plan can turn into a scan;
     * the batch row's lock keeps them from changing in between.
     */
    private static final String CLAIM_JOBS = """
            UPDATE job SET state = 'RUNNING', owner_node = ?, attempts = attempts + 1,
                started_at = COALESCE(started_at, ?), version = ?
            WHERE ctid = ANY (ARRAY(
                SELECT ctid FROM job WHERE batch_id = ? AND seq >= ? AND seq < ? AND state = 'PENDING'
                ORDER BY seq LIMIT ?))
            RETURNING *""";

    /** Jobs looked at past the cursor for each job claimed: slack for jobs that started out of order. */
    private static final int CLAIM_WINDOW_FACTOR = 4;

    private static final String AFTER_CLAIM = """
            UPDATE batch SET state = 'RUNNING', started_at = COALESCE(started_at, ?), jobs_pending = jobs_pending - ?,
                jobs_running = jobs_running + ?, claim_cursor = ?, last_claimed_at = ?, version = ?
            WHERE id = ?
            RETURNING *""";

    /** Jobs claimed from one batch, and the batch after the claim. */
    public record Claim(Batch batch, @Nullable BatchState previousState, List<Job> jobs) {}

    /** What a batch looks like since a version: its row and the jobs changed after that version. */
    public record Changes(Batch batch, long version, List<Job> jobs) {}

    private final JdbcTemplate jdbc;
    private final JdbcClient client;
    private final TransactionTemplate tx;
    private final JdbcRows rows;

    public ClusterStore(DataSource dataSource, JsonMapper json) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.client = JdbcClient.create(jdbc);
        this.tx = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        this.rows = new JdbcRows(json);
    }

    // ---- claims and changes ---------------------------------------------------------------------

    /**
     * Claims up to {@code max} PENDING jobs, in submission order, of the batch claimed least
     * recently that may start one: no cause, below its {@code maxParallelism} over all replicas.
     * The jobs become RUNNING, owned by {@code node}, with one more attempt. A batch another
     * replica is changing right now is passed over for one that is free, and waited for only when
     * no other batch has a job to start.
     *
     * @return the claim, or empty when no batch has a job to start
     */
    public Optional<Claim> claim(String node, int max, Instant now) {
        return Optional.ofNullable(tx.execute(status -> {
            if (!holdsLease(node, now)) {
                // Paused past its lease (a long GC, a frozen VM): the others may be settling its jobs.
                log.warn("Node {} claims nothing: its lease expired or was taken", node);
                return null;
            }
            // A batch no other replica is changing right now, else wait for the one whose turn it is
            // (its lock is held for one short transaction): a busy batch is not an empty one.
            var locked = client.sql(CLAIMABLE_BATCH + " SKIP LOCKED").query(this::lockedRow).optional()
                    .or(() -> client.sql(CLAIMABLE_BATCH).query(this::lockedRow).optional()).orElse(null);
            if (locked == null) {
                return null;
            }
            Batch batch = locked.batch;
            int room = Math.min(max, batch.spec().maxParallelism() - batch.counts().running());
            long version = locked.version + 1;
            int window = room * CLAIM_WINDOW_FACTOR;
            List<SeqJob> claimed = claimJobs(node, batch.id(), locked.claimCursor, locked.claimCursor + window, room,
                    now, version);
            if (claimed.isEmpty()) {
                // Jobs put back after their replica was lost lie below the cursor; others may lie past the window.
                claimed = claimJobs(node, batch.id(), 0, Integer.MAX_VALUE, room, now, version);
            }
            if (claimed.isEmpty()) {
                // The counters say jobs are pending but none is: pass the batch over, behind the others.
                log.warn("Batch {} counts {} pending jobs but has none to claim", batch.id(), batch.counts().pending());
                client.sql("UPDATE batch SET last_claimed_at = ? WHERE id = ?").params(utc(now), batch.id()).update();
                return null;
            }
            int cursor = claimed.stream().mapToInt(SeqJob::seq).max().orElseThrow() + 1;
            Batch after = client.sql(AFTER_CLAIM)
                    .params(utc(now), claimed.size(), claimed.size(), cursor, utc(now), version, batch.id())
                    .query(rows::batch).single();
            BatchState previous = after.state() != batch.state() ? batch.state() : null;
            return new Claim(after, previous, claimed.stream().map(SeqJob::job).toList());
        }));
    }

    /**
     * Whether {@code node}'s lease row is live at {@code now}, locked against the survivors'
     * deletion of expired rows until this transaction ends, so no claim commits for a lost node.
     */
    private boolean holdsLease(String node, Instant now) {
        return client.sql("SELECT 1 FROM cluster_node WHERE id = ? AND expires_at > ? FOR SHARE").params(node, utc(now))
                .query(Integer.class).optional().isPresent();
    }

    private List<SeqJob> claimJobs(String node, UUID batchId, int fromSeq, int toSeq, int max, Instant now,
            long version) {
        return client.sql(CLAIM_JOBS).params(node, utc(now), version, batchId, fromSeq, toSeq, max)
                .query((rs, row) -> new SeqJob(rs.getInt("seq"), rows.job(rs, row))).list().stream()
                .sorted(Comparator.comparingInt(SeqJob::seq)) // RETURNING gives them in physical order
                .toList();
    }

    /**
     * Runs {@code change} in a transaction holding the batch's row lock, so no other replica
     * changes or claims from the batch meanwhile. Returns empty if the batch no longer exists.
     */
    public <T> Optional<T> change(UUID batchId, Function<LockedBatch, T> change) {
        return Optional.ofNullable(tx.execute(status -> {
            var locked = client.sql("SELECT * FROM batch WHERE id = ? FOR UPDATE").param(batchId)
                    .query(this::lockedRow).optional().orElse(null);
            return locked == null ? null : change.apply(new LockedBatch(locked));
        }));
    }

    /** A batch whose row this transaction has locked, and the writes allowed on it. */
    public final class LockedBatch {

        private final Batch batch;
        private final long version;

        private LockedBatch(LockedRow row) {
            this.batch = row.batch;
            this.version = row.version + 1;
        }

        /** The batch as stored when the lock was taken. */
        public Batch batch() {
            return batch;
        }

        /**
         * Writes jobs that {@code node} owns and that are still RUNNING. Returns the ids of those
         * written: a job missing from them was taken from the node (its lease expired) and settled.
         */
        public Set<String> updateOwnedJobs(List<Job> jobs, String node) {
            int[][] counts = jdbc.batchUpdate(JdbcRows.UPDATE_OWNED_JOB, jobs, jobs.size(),
                    (ps, job) -> rows.setOwnedJobUpdate(ps, batch.id(), job, version, node));
            Set<String> written = new HashSet<>();
            int i = 0;
            for (int[] chunk : counts) {
                for (int count : chunk) {
                    if (count > 0) {
                        written.add(jobs.get(i).id());
                    }
                    i++;
                }
            }
            return written;
        }

        /** Writes jobs whatever their owner, which is cleared (settling the jobs of a lost replica). */
        public void updateJobs(List<Job> jobs) {
            jdbc.batchUpdate(JdbcRows.UPDATE_DISOWNED_JOB, jobs, jobs.size(),
                    (ps, job) -> rows.setDisownedJobUpdate(ps, batch.id(), job, version));
        }

        /** The RUNNING jobs that {@code node} owns ({@link #NO_OWNER}: those no replica owns). */
        public List<Job> runningJobsOf(String node) {
            return client.sql("""
                    SELECT * FROM job WHERE batch_id = ? AND COALESCE(owner_node, '') = ? AND state = 'RUNNING'
                    ORDER BY seq""")
                    .params(batch.id(), node).query(rows::job).list();
        }

        /**
         * Ends every PENDING job and returns them: SKIPPED if it never started, CANCELLED if it
         * was put back to PENDING after its replica was lost (it ran before).
         */
        public List<Job> skipPending(Instant now) {
            return client.sql("""
                    UPDATE job SET state = CASE WHEN attempts = 0 THEN 'SKIPPED' ELSE 'CANCELLED' END,
                        finished_at = ?, version = ?
                    WHERE batch_id = ? AND state = 'PENDING'
                    RETURNING *""").params(utc(now), version, batch.id()).query(rows::job).list();
        }

        /** Moves jobs back to PENDING, unowned, to be claimed again (resuming after a lost replica). */
        public void requeue(List<Job> jobs) {
            updateJobs(jobs);
            moveCursorBackTo(jobs.stream().map(Job::id).toList());
        }

        /**
         * Puts back jobs that {@code node} claimed but never started (the claim committed, but
         * the replica never learned of it): PENDING again, their claim's attempt not counted.
         * Returns those put back.
         */
        public List<Job> unclaim(Collection<String> jobIds, String node) {
            List<Job> unclaimed = client.sql("""
                    UPDATE job SET state = 'PENDING', owner_node = NULL, attempts = attempts - 1,
                        started_at = CASE WHEN attempts = 1 THEN NULL ELSE started_at END, version = ?
                    WHERE batch_id = ? AND id = ANY (?) AND owner_node = ? AND state = 'RUNNING'
                    RETURNING *""").params(version, batch.id(), jobIds.toArray(String[]::new), node)
                    .query(rows::job).list();
            moveCursorBackTo(unclaimed.stream().map(Job::id).toList());
            return unclaimed;
        }

        /** Moves the claim cursor back to the first of these jobs, now PENDING again, if it is past it. */
        private void moveCursorBackTo(List<String> jobIds) {
            if (!jobIds.isEmpty()) {
                client.sql("""
                        UPDATE batch SET claim_cursor = LEAST(claim_cursor,
                            (SELECT MIN(seq) FROM job WHERE batch_id = ? AND id = ANY (?)))
                        WHERE id = ?""").params(batch.id(), jobIds.toArray(String[]::new), batch.id()).update();
            }
        }

        /** Writes the batch row with this change's version. */
        public void save(Batch changed) {
            jdbc.update(JdbcRows.UPDATE_BATCH_VERSIONED, ps -> rows.setVersionedBatchUpdate(ps, changed, version));
        }

        /** Tells every replica, once this transaction commits, that the batch has a cause. */
        public void announceCause() {
            sendNotice(CANCEL_CHANNEL, batch.id().toString());
        }

        /** Tells idle replicas, once this transaction commits, that the batch has jobs to claim. */
        public void announceWork() {
            sendNotice(WORK_CHANNEL, "");
        }
    }

    /** Tells idle replicas that a batch was submitted. */
    public void announceWork() {
        sendNotice(WORK_CHANNEL, "");
    }

    private void sendNotice(String channel, String payload) {
        client.sql("SELECT pg_notify(?, ?)").params(channel, payload).query((rs, row) -> null).list();
    }

    // ---- reads that follow the other replicas ----------------------------------------------------

    /** Whether the batch has a cancellation cause (or is gone): read just before a claimed job's handler starts. */
    public boolean hasCause(UUID batchId) {
        return client.sql("SELECT cause IS NOT NULL FROM batch WHERE id = ?").param(batchId).query(Boolean.class)
                .optional().orElse(true);
    }

    /** Of these batches, those that have a cancellation cause. */
    @SuppressWarnings("NullAway") // the column is never NULL; Spring types one-column rows as nullable
    public List<UUID> withCause(Collection<UUID> batchIds) {
        if (batchIds.isEmpty()) {
            return List.of();
        }
        return client.sql("SELECT id FROM batch WHERE cause IS NOT NULL AND id = ANY (?)")
                .param(batchIds.toArray(UUID[]::new)).query(UUID.class).list();
    }

    /** Active batches with a deadline and no cause yet. */
    public List<Batch> activeWithDeadline() {
        return client.sql("SELECT * FROM batch WHERE state IN ('QUEUED', 'RUNNING') AND cause IS NULL AND deadline IS NOT NULL")
                .query(rows::batch).list();
    }

    /** Active batches and their jobs that have not started, over the whole cluster. */
    public Totals totals() {
        return client.sql("SELECT COUNT(*) AS batches, COALESCE(SUM(jobs_pending), 0) AS pending FROM batch WHERE state IN "
                + ACTIVE_STATES).query((rs, row) -> new Totals(rs.getInt("batches"), rs.getLong("pending"))).single();
    }

    /**
     * Totals over the cluster.
     *
     * @param batches batches not yet terminal
     * @param pendingJobs their jobs not yet started
     */
    public record Totals(int batches, long pendingJobs) {}

    /** The batch's current version, or empty if it does not exist. */
    public Optional<Long> version(UUID batchId) {
        return client.sql("SELECT version FROM batch WHERE id = ?").param(batchId).query(Long.class).optional();
    }

    /** The batch and its jobs changed after {@code version}, in the order they changed; empty if the batch is gone. */
    public Optional<Changes> changesSince(UUID batchId, long version) {
        return Optional.ofNullable(tx.execute(status -> {
            var row = client.sql("SELECT * FROM batch WHERE id = ?").param(batchId).query(this::lockedRow)
                    .optional().orElse(null);
            if (row == null) {
                return null;
            }
            List<Job> jobs = row.version == version ? List.of()
                    : client.sql("SELECT * FROM job WHERE batch_id = ? AND version > 0 AND version > ? AND version <= ? ORDER BY version, seq")
                            .params(batchId, version, row.version).query(rows::job).list();
            return new Changes(row.batch, row.version, jobs);
        }));
    }

    // ---- nodes ----------------------------------------------------------------------------------

    /**
     * Owners of RUNNING jobs that hold no live lease at {@code now}: replicas that stopped
     * renewing (killed, cut off), whose jobs the survivors settle.
     */
    @SuppressWarnings("NullAway") // the column is never NULL; Spring types one-column rows as nullable
    public List<String> lostOwners(Instant now) {
        return client.sql("""
                SELECT DISTINCT COALESCE(owner_node, '') FROM job
                WHERE state = 'RUNNING'
                    AND COALESCE(owner_node, '') NOT IN (SELECT id FROM cluster_node WHERE expires_at >= ?)""")
                .param(utc(now)).query(String.class).list();
    }

    /**
     * Batches with RUNNING jobs owned by {@code node}; {@link #NO_OWNER} stands for jobs a single
     * instance left RUNNING when it was killed, before the database was switched to cluster mode.
     */
    @SuppressWarnings("NullAway") // the column is never NULL; Spring types one-column rows as nullable
    public List<UUID> batchesRunningOn(String node) {
        return client.sql("SELECT DISTINCT batch_id FROM job WHERE COALESCE(owner_node, '') = ? AND state = 'RUNNING'")
                .param(node).query(UUID.class).list();
    }

    /** A job, by its batch. */
    public record JobKey(UUID batchId, String jobId) {}

    /** The RUNNING jobs the database says {@code node} owns. */
    public List<JobKey> runningJobsOwnedBy(String node) {
        return client.sql("SELECT batch_id, id FROM job WHERE COALESCE(owner_node, '') = ? AND state = 'RUNNING'")
                .param(node).query((rs, row) -> new JobKey(rs.getObject("batch_id", UUID.class), rs.getString("id")))
                .list();
    }

    /** Deletes the rows of nodes whose lease expired before {@code now}; their jobs are settled first. */
    public int deleteExpiredNodes(Instant now) {
        return client.sql("DELETE FROM cluster_node WHERE expires_at < ?").param(utc(now)).update();
    }

    // ---- rows -----------------------------------------------------------------------------------

    private record LockedRow(Batch batch, long version, int claimCursor) {}

    private record SeqJob(int seq, Job job) {}

    private LockedRow lockedRow(ResultSet rs, int row) throws SQLException {
        return new LockedRow(rows.batch(rs, row), rs.getLong("version"), rs.getInt("claim_cursor"));
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }
}
