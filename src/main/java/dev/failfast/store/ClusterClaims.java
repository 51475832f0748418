package dev.failfast.store;

import dev.failfast.batch.Batch;
import dev.failfast.batch.BatchState;
import dev.failfast.batch.Job;
import dev.failfast.store.ClusterStore.Claim;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.function.IntSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The claim transaction of {@link ClusterStore#claim}: which tenant's and which batch's
 * turn it is, and which of its jobs start.
 */
final class ClusterClaims {

    // Logs as the cluster store: the logger name operators know and configure stays the
    // same.
    private static final Logger log = LoggerFactory.getLogger(ClusterStore.class);

    /**
     * The batch whose turn it is. First the tenant: of those with a batch that may start
     * a job and fewer running jobs over the cluster than their cap, the one with the
     * fewest running (a tenant that just submitted gets the claims until it has as many
     * as the others), then the one whose batches were claimed least recently (turns
     * between equals). Then, of that tenant's batches, the one claimed least recently.
     *
     * <p>
     * One pass over the active batches ranks them (window sums by tenant: no join for the
     * planner to misjudge); the first 64 are then locked in turn, the claimable
     * conditions checked again on each row as locked. (So a claim waits only when all 64
     * are locked by other replicas.) The tenants' running counts are those the statement
     * started with; a capped tenant's is counted again under its lock
     * ({@link #TENANT_RUNNING}).
     */
    private static final String CLAIMABLE_BATCH = """
            WITH active AS (
                SELECT id, tenant, last_claimed_at,
                    state IN ('QUEUED', 'RUNNING') AND cause IS NULL AND jobs_pending > 0
                        AND jobs_running < max_parallelism AS claimable,
                    SUM(jobs_running) OVER (PARTITION BY tenant) AS tenant_running,
                    MAX(last_claimed_at) OVER (PARTITION BY tenant) AS tenant_claimed
                FROM batch WHERE state IN ('QUEUED', 'RUNNING', 'CANCELLING')),
            turn AS (
                SELECT id, tenant_running, tenant_claimed, tenant, last_claimed_at FROM active
                WHERE claimable AND tenant_running < COALESCE((?::int[])[array_position(?::varchar[], tenant)], ?)
                    AND tenant <> ALL (?::varchar[])
                ORDER BY tenant_running, tenant_claimed NULLS FIRST, tenant, last_claimed_at NULLS FIRST, id
                LIMIT 64)
            SELECT b.* FROM turn JOIN batch b ON b.id = turn.id
            WHERE b.state IN ('QUEUED', 'RUNNING') AND b.cause IS NULL AND b.jobs_pending > 0
                AND b.jobs_running < b.max_parallelism
            ORDER BY turn.tenant_running, turn.tenant_claimed NULLS FIRST, turn.tenant, turn.last_claimed_at NULLS FIRST,
                turn.id
            LIMIT 1
            FOR UPDATE OF b""";

    /**
     * Serialises the claims of one capped tenant over the cluster, until the claim
     * commits: its running jobs, read after this, then count every claim committed
     * before, so two replicas cannot both take the tenant's last place. (The first key
     * keeps Failfast's advisory locks apart from any other user's of the database; a hash
     * collision only serialises two tenants' claims.)
     */
    private static final String LOCK_TENANT = "SELECT pg_advisory_xact_lock(1717986918, hashtext(?))";

    private static final String TRY_LOCK_TENANT = "SELECT pg_try_advisory_xact_lock(1717986918, hashtext(?))";

    private static final String TENANT_RUNNING = """
            SELECT COALESCE(SUM(jobs_running), 0) FROM batch
            WHERE tenant = ? AND state IN ('QUEUED', 'RUNNING', 'CANCELLING')""";

    /**
     * The next PENDING jobs from a position on. Jobs are claimed in order, so those just
     * past the cursor are nearly all PENDING: looking at a window of them (not at every
     * job after it, which a plan for any parameters might do) keeps a claim's cost the
     * same for 100 000 jobs as for 100. The rows are then updated by their physical
     * address (ctid), which no plan can turn into a scan; the batch row's lock keeps them
     * from changing in between.
     */
    private static final String CLAIM_JOBS = """
            UPDATE job SET state = 'RUNNING', owner_node = ?, attempts = attempts + 1,
                started_at = COALESCE(started_at, ?), version = ?
            WHERE ctid = ANY (ARRAY(
                SELECT ctid FROM job WHERE batch_id = ? AND seq >= ? AND seq < ? AND state = 'PENDING'
                ORDER BY seq LIMIT ?))
            RETURNING *""";

    /**
     * Jobs looked at past the cursor for each job claimed: slack for jobs that started
     * out of order.
     */
    private static final int CLAIM_WINDOW_FACTOR = 4;

    private static final String AFTER_CLAIM = """
            UPDATE batch SET state = 'RUNNING', started_at = COALESCE(started_at, ?), jobs_pending = jobs_pending - ?,
                jobs_running = jobs_running + ?, claim_cursor = ?, last_claimed_at = ?, version = ?
            WHERE id = ?
            RETURNING *""";

    private final JdbcClient client;

    private final TransactionTemplate tx;

    private final JdbcRows rows;

    private final RowMapper<LockedRow> lockedRow;

    ClusterClaims(JdbcClient client, TransactionTemplate tx, JdbcRows rows) {
        this.client = client;
        this.tx = tx;
        this.rows = rows;
        this.lockedRow = LockedRow.mapper(rows);
    }

    /** See {@link ClusterStore#claim}. */
    @Nullable Claim claim(String node, IntSupplier max, RunningCaps caps, Instant now) {
        return tx.execute(status -> {
            if (!holdsLease(node, now)) {
                // Paused past its lease (a long GC, a frozen VM): the others may be
                // settling its jobs.
                log.warn("Node {} claims nothing: its lease expired or was taken", node);
                return null;
            }
            List<String> full = new ArrayList<>();
            while (true) {
                // Only the first turn waits for a lock: later ones hold a batch's row
                // (and
                // maybe a tenant's lock) already, and waiting then could deadlock with
                // another replica doing the same.
                boolean mayWait = full.isEmpty();
                // A batch no other replica is changing right now, else wait for the one
                // whose turn it is (its lock is held for one short transaction): a busy
                // batch is not an empty one.
                LockedRow locked = claimable(caps, full, " SKIP LOCKED");
                if (locked == null && mayWait) {
                    locked = claimable(caps, full, "");
                }
                if (locked == null) {
                    return null;
                }
                String tenant = locked.batch().owner().tenant();
                int tenantRoom = tenantRoom(tenant, caps.of(tenant), mayWait);
                if (tenantRoom > 0) {
                    return claimFrom(locked, node, Math.min(max.getAsInt(), tenantRoom), now);
                }
                // Another replica took the tenant's last places since the statement
                // began (or is claiming for it now): its turn passes to the next tenant.
                full.add(tenant);
            }
        });
    }

    private @Nullable LockedRow claimable(RunningCaps caps, List<String> full, String skipLocked) {
        String[] tenants = caps.tenants();
        return client.sql(CLAIMABLE_BATCH + skipLocked)
            .params(caps.caps(tenants), tenants, caps.others(), full.toArray(String[]::new))
            .query(lockedRow)
            .optional()
            .orElse(null);
    }

    /**
     * How many more jobs the tenant may run, counted under its lock, which is held until
     * the claim commits; {@link RunningCaps#NONE} when it has no cap (and no lock is
     * taken). With {@code mayWait} false, 0 when another claim holds the lock.
     */
    // The sum is never NULL; Spring types one-column rows as nullable.
    @SuppressWarnings("NullAway")
    private int tenantRoom(String tenant, int cap, boolean mayWait) {
        if (cap == RunningCaps.NONE) {
            return RunningCaps.NONE;
        }
        if (mayWait) {
            client.sql(LOCK_TENANT).param(tenant).query((rs, row) -> null).list();
        }
        else if (!client.sql(TRY_LOCK_TENANT).param(tenant).query(Boolean.class).single()) {
            return 0;
        }
        long running = client.sql(TENANT_RUNNING).param(tenant).query(Long.class).single();
        return (int) Math.max(0, cap - running);
    }

    private @Nullable Claim claimFrom(LockedRow locked, String node, int max, Instant now) {
        Batch batch = locked.batch();
        int room = Math.min(max, batch.spec().maxParallelism() - batch.counts().running());
        long version = locked.version() + 1;
        int window = room * CLAIM_WINDOW_FACTOR;
        List<SeqJob> claimed = claimJobs(node, batch.id(), locked.claimCursor(), locked.claimCursor() + window, room,
                now, version);
        if (claimed.isEmpty()) {
            // Jobs put back after their replica was lost lie below the cursor; others
            // may lie past the window.
            claimed = claimJobs(node, batch.id(), 0, Integer.MAX_VALUE, room, now, version);
        }
        if (claimed.isEmpty()) {
            // The counters say jobs are pending but none is: pass the batch over,
            // behind the others.
            log.warn("Batch {} counts {} pending jobs but has none to claim", batch.id(), batch.counts().pending());
            client.sql("UPDATE batch SET last_claimed_at = ? WHERE id = ?")
                .params(JdbcRows.utc(now), batch.id())
                .update();
            return null;
        }
        int cursor = claimed.stream().mapToInt(SeqJob::seq).max().orElseThrow() + 1;
        Batch after = client.sql(AFTER_CLAIM)
            .params(JdbcRows.utc(now), claimed.size(), claimed.size(), cursor, JdbcRows.utc(now), version, batch.id())
            .query(rows::batch)
            .single();
        BatchState previous = after.state() != batch.state() ? batch.state() : null;
        return new Claim(after, previous, claimed.stream().map(SeqJob::job).toList());
    }

    /**
     * Whether {@code node}'s lease row is live at {@code now}, locked against the
     * survivors' deletion of expired rows until this transaction ends, so no claim
     * commits for a lost node. {@code FOR KEY SHARE} does not wait for (nor hold up) the
     * node's own renewal, an UPDATE of a non-key column, while a claim waits for a busy
     * batch's row.
     */
    private boolean holdsLease(String node, Instant now) {
        return client.sql("SELECT 1 FROM cluster_node WHERE id = ? AND expires_at > ? FOR KEY SHARE")
            .params(node, JdbcRows.utc(now))
            .query(Integer.class)
            .optional()
            .isPresent();
    }

    private List<SeqJob> claimJobs(String node, UUID batchId, int fromSeq, int toSeq, int max, Instant now,
            long version) {
        return client.sql(CLAIM_JOBS)
            .params(node, JdbcRows.utc(now), version, batchId, fromSeq, toSeq, max)
            .query((rs, row) -> new SeqJob(rs.getInt("seq"), rows.job(rs, row)))
            .list()
            .stream()
            .sorted(Comparator.comparingInt(SeqJob::seq)) // RETURNING gives them in
                                                          // physical order
            .toList();
    }

    private record SeqJob(int seq, Job job) {
    }

}
