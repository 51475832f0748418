package dev.failfast.store;

import dev.failfast.batch.Batch;
import dev.failfast.batch.BatchState;
import dev.failfast.batch.Job;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.IntSupplier;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * The database as the source of truth of several Failfast replicas (PostgreSQL only): job
 * claims, changes made under the batch row's lock, node leases and the reads that follow
 * other replicas.
 *
 * <p>
 * Every change of a batch, by any replica, runs in a transaction that first locks the
 * batch's row ({@link #change}); claiming jobs locks it too ({@link #claim}) and claims
 * nothing once the batch has a cause. So the first cause wins across replicas, and no job
 * is claimed after it. Each such transaction bumps the batch's {@code version} and stamps
 * the jobs it changed with it.
 */
public final class ClusterStore {

    /**
     * Channel of a batch id whose cause was just recorded: every replica stops its jobs
     * of that batch.
     */
    public static final String CANCEL_CHANNEL = "failfast_cancel";

    /** Channel telling idle replicas that a batch has jobs ready to claim. */
    public static final String WORK_CHANNEL = "failfast_work";

    /**
     * The owner of RUNNING jobs that no replica claimed: a single instance ran them
     * before cluster mode.
     */
    public static final String NO_OWNER = "";

    private static final String ACTIVE_STATES = "('QUEUED', 'RUNNING', 'CANCELLING')";

    /** Read for event streams, which show no attempt history: the column is not read. */
    private static final String JOBS_CHANGED = "SELECT " + JdbcRows.LISTED_JOB_COLUMNS + """
             FROM job WHERE batch_id = ? AND version > 0 AND (version, seq) > (?, ?) AND version <= ?
            ORDER BY version, seq LIMIT ?""";

    /** Jobs claimed from one batch, and the batch after the claim. */
    public record Claim(Batch batch, @Nullable BatchState previousState, List<Job> jobs) {
    }

    /**
     * What a batch looks like since a version: its row and the jobs changed after that
     * version.
     *
     * @param more whether more jobs changed than the read was bounded to: {@code changed}
     * then holds only the first of them
     */
    public record Changes(Batch batch, long version, List<ChangedJob> changed, boolean more) {

        public Changes {
            changed = List.copyOf(changed);
        }

        /** The jobs changed, in the order they changed. */
        public List<Job> jobs() {
            return changed.stream().map(ChangedJob::job).toList();
        }
    }

    /**
     * A job as a change left it: the batch's version that changed it last, and its place
     * in the batch ({@code seq}, from 0). Together they order a batch's job changes the
     * same way on every replica.
     */
    public record ChangedJob(Job job, long version, int seq) {
    }

    private final JdbcTemplate jdbc;

    private final JdbcClient client;

    private final TransactionTemplate tx;

    private final JdbcRows rows;

    private final RowMapper<LockedRow> lockedRow;

    private final ClusterClaims claims;

    private final Outbox outbox;

    /**
     * @param dataSource a PostgreSQL database migrated by this application's Flyway
     * scripts
     * @param json writes and reads the JSON columns (params, results, labels)
     */
    public ClusterStore(DataSource dataSource, JsonMapper json) {
        this(dataSource, json, Outbox.NONE);
    }

    /**
     * @param dataSource a PostgreSQL database migrated by this application's Flyway
     * scripts
     * @param json writes and reads the JSON columns (params, results, labels)
     * @param outbox records, in each change's transaction, the notifications it causes
     */
    public ClusterStore(DataSource dataSource, JsonMapper json, Outbox outbox) {
        this.outbox = outbox;
        this.jdbc = new JdbcTemplate(dataSource);
        this.client = JdbcClient.create(jdbc);
        this.tx = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        this.rows = new JdbcRows(json);
        this.lockedRow = LockedRow.mapper(rows);
        this.claims = new ClusterClaims(client, tx, rows);
    }

    // ---- claims and changes -----------------------------------------------------------

    /**
     * Claims up to {@code max} PENDING jobs, in submission order, of the batch whose turn
     * it is: of the tenants below their cap of running jobs over all replicas, the one
     * with the fewest running, then the one claimed least recently; of its batches that
     * may start a job (no cause, below its {@code maxParallelism} over all replicas), the
     * one claimed least recently. The jobs become RUNNING, owned by {@code node}, with
     * one more attempt; a capped tenant gets no more than takes it to its cap. A batch
     * another replica is changing right now is passed over for one that is free, and
     * waited for only when no other batch has a job to start.
     * @param caps each tenant's most running jobs over the cluster
     * @return the claim, or empty when no batch has a job to start
     */
    public Optional<Claim> claim(String node, int max, RunningCaps caps, Instant now) {
        return claim(node, () -> max, caps, now);
    }

    /**
     * {@link #claim(String, int, RunningCaps, Instant)} with the most jobs asked once the
     * batch's row is locked: a claim that waited for the row (held by the write of
     * outcomes that freed the threads) takes every thread freed meanwhile, not only those
     * free when it began.
     */
    public Optional<Claim> claim(String node, IntSupplier max, RunningCaps caps, Instant now) {
        return Optional.ofNullable(claims.claim(node, max, caps, now));
    }

    /** {@link #claim(String, int, RunningCaps, Instant)} with no tenant capped. */
    public Optional<Claim> claim(String node, int max, Instant now) {
        return claim(node, max, RunningCaps.UNLIMITED, now);
    }

    /**
     * Runs {@code change} in a transaction holding the batch's row lock, so no other
     * replica changes or claims from the batch meanwhile. Returns empty if the batch no
     * longer exists.
     */
    public <T> Optional<T> change(UUID batchId, Function<LockedBatch, T> change) {
        return Optional.ofNullable(tx.execute(status -> {
            var locked = client.sql("SELECT * FROM batch WHERE id = ? FOR UPDATE")
                .param(batchId)
                .query(lockedRow)
                .optional()
                .orElse(null);
            return locked == null ? null : change.apply(new LockedBatch(locked, jdbc, client, rows, outbox));
        }));
    }

    /** Tells idle replicas that a batch was submitted. */
    public void announceWork() {
        sendNotice(client, WORK_CHANNEL, "");
    }

    /**
     * pg_notify in the current transaction: the listening replicas get it once that
     * commits.
     */
    static void sendNotice(JdbcClient client, String channel, String payload) {
        client.sql("SELECT pg_notify(?, ?)").params(channel, payload).query((rs, row) -> null).list();
    }

    // ---- reads that follow the other replicas
    // ----------------------------------------------------

    /**
     * Whether the batch has a cancellation cause (or is gone): read just before a claimed
     * job's handler starts.
     */
    public boolean hasCause(UUID batchId) {
        return client.sql("SELECT cause IS NOT NULL FROM batch WHERE id = ?")
            .param(batchId)
            .query(Boolean.class)
            .optional()
            .orElse(true);
    }

    /** Of these batches, those that have a cancellation cause. */
    // The column is never NULL; Spring types one-column rows as nullable.
    @SuppressWarnings("NullAway")
    public List<UUID> withCause(Collection<UUID> batchIds) {
        if (batchIds.isEmpty()) {
            return List.of();
        }
        return client.sql("SELECT id FROM batch WHERE cause IS NOT NULL AND id = ANY (?)")
            .param(batchIds.toArray(UUID[]::new))
            .query(UUID.class)
            .list();
    }

    /** Active batches with a deadline and no cause yet. */
    public List<Batch> activeWithDeadline() {
        return client.sql("""
                SELECT * FROM batch WHERE state IN ('QUEUED', 'RUNNING') AND cause IS NULL AND deadline IS NOT NULL""")
            .query(rows::batch)
            .list();
    }

    /** Active batches and their jobs that have not started, over the whole cluster. */
    public Totals totals() {
        return client
            .sql("SELECT COUNT(*) AS batches, COALESCE(SUM(jobs_pending), 0) AS pending FROM batch" + " WHERE state IN "
                    + ACTIVE_STATES)
            .query((rs, row) -> new Totals(rs.getInt("batches"), rs.getLong("pending")))
            .single();
    }

    /**
     * The jobs not yet started of all active batches and of one tenant's, over the whole
     * cluster: what admission checks a tenant's new batch against.
     */
    public PendingJobs pendingJobs(String tenant) {
        return client
            .sql("SELECT COALESCE(SUM(jobs_pending), 0) AS pending,"
                    + " COALESCE(SUM(CASE WHEN tenant = ? THEN jobs_pending ELSE 0 END), 0) AS tenant_pending"
                    + " FROM batch WHERE state IN " + ACTIVE_STATES)
            .param(tenant)
            .query((rs, row) -> new PendingJobs(rs.getLong("pending"), rs.getLong("tenant_pending")))
            .single();
    }

    /**
     * Jobs not yet started, over the cluster.
     *
     * @param all of every active batch
     * @param tenant of the tenant's active batches
     */
    public record PendingJobs(long all, long tenant) {
    }

    /**
     * Totals over the cluster.
     *
     * @param batches batches not yet terminal
     * @param pendingJobs their jobs not yet started
     */
    public record Totals(int batches, long pendingJobs) {
    }

    /** The batch's current version, or empty if it does not exist. */
    public Optional<Long> version(UUID batchId) {
        return client.sql("SELECT version FROM batch WHERE id = ?").param(batchId).query(Long.class).optional();
    }

    /**
     * The batch and its version, read together (no jobs); empty if the batch is gone.
     */
    public Optional<Changes> versioned(UUID batchId) {
        return client.sql("SELECT * FROM batch WHERE id = ?")
            .param(batchId)
            .query(lockedRow)
            .optional()
            .map(row -> new Changes(row.batch(), row.version(), List.of(), false));
    }

    /**
     * The batch and its jobs changed after {@code version}, in the order they changed;
     * empty if the batch is gone.
     */
    public Optional<Changes> changesSince(UUID batchId, long version) {
        return changesAfter(batchId, version, Integer.MAX_VALUE, Integer.MAX_VALUE);
    }

    /**
     * The batch and its first {@code maxJobs} jobs changed after job {@code seq} of
     * version {@code version} (that is, changed last by a later version, or by that
     * version and later in the batch), in the order they changed, with
     * {@link Changes#more()} telling whether more changed; empty if the batch is gone.
     * The bound keeps a read from an old position (a stream resuming from the batch's
     * start) from loading every job of a large batch.
     */
    public Optional<Changes> changesAfter(UUID batchId, long version, int seq, int maxJobs) {
        return Optional.ofNullable(tx.execute(status -> {
            var row = client.sql("SELECT * FROM batch WHERE id = ?")
                .param(batchId)
                .query(lockedRow)
                .optional()
                .orElse(null);
            if (row == null) {
                return null;
            }
            List<ChangedJob> jobs = row.version() < version || (row.version() == version && seq == Integer.MAX_VALUE)
                    ? List.of()
                    : client.sql(JOBS_CHANGED)
                        .params(batchId, version, seq, row.version(), (long) maxJobs + 1)
                        .query((rs, n) -> new ChangedJob(rows.listedJob(rs, n), rs.getLong("version"),
                                rs.getInt("seq")))
                        .list();
            boolean more = jobs.size() > maxJobs;
            return new Changes(row.batch(), row.version(), more ? jobs.subList(0, maxJobs) : jobs, more);
        }));
    }

    // ---- nodes ------------------------------------------------------------------------

    /**
     * Owners of RUNNING jobs that hold no live lease at {@code now}: replicas that
     * stopped renewing (killed, cut off), whose jobs the survivors settle.
     */
    // The column is never NULL; Spring types one-column rows as nullable.
    @SuppressWarnings("NullAway")
    public List<String> lostOwners(Instant now) {
        return client.sql("""
                SELECT DISTINCT COALESCE(owner_node, '') FROM job
                WHERE state = 'RUNNING'
                    AND COALESCE(owner_node, '') NOT IN (SELECT id FROM cluster_node WHERE expires_at >= ?)""")
            .param(JdbcRows.utc(now))
            .query(String.class)
            .list();
    }

    /**
     * Batches with RUNNING jobs owned by {@code node}; {@link #NO_OWNER} stands for jobs
     * a single instance left RUNNING when it was killed, before the database was switched
     * to cluster mode.
     */
    // The column is never NULL; Spring types one-column rows as nullable.
    @SuppressWarnings("NullAway")
    public List<UUID> batchesRunningOn(String node) {
        return client.sql("SELECT DISTINCT batch_id FROM job WHERE COALESCE(owner_node, '') = ? AND state = 'RUNNING'")
            .param(node)
            .query(UUID.class)
            .list();
    }

    /** A job, by its batch. */
    public record JobKey(UUID batchId, String jobId) {
    }

    /** The RUNNING jobs the database says {@code node} owns. */
    public List<JobKey> runningJobsOwnedBy(String node) {
        return client.sql("SELECT batch_id, id FROM job WHERE COALESCE(owner_node, '') = ? AND state = 'RUNNING'")
            .param(node)
            .query((rs, row) -> new JobKey(rs.getObject("batch_id", UUID.class), rs.getString("id")))
            .list();
    }

    /**
     * Deletes the rows of nodes whose lease expired before {@code now}; their jobs are
     * settled first.
     */
    public int deleteExpiredNodes(Instant now) {
        return client.sql("DELETE FROM cluster_node WHERE expires_at < ?").param(JdbcRows.utc(now)).update();
    }

}
