package dev.failfast.store;

import dev.failfast.batch.Batch;
import dev.failfast.batch.Job;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * A batch whose row this transaction has locked, and the writes allowed on it.
 * {@link ClusterStore#change} hands one out for the length of its transaction; every
 * write stamps the rows it changes with this change's version.
 */
public final class LockedBatch {

    private final Batch batch;

    private final long version;

    private final JdbcTemplate jdbc;

    private final JdbcClient client;

    private final JdbcRows rows;

    private final Outbox outbox;

    LockedBatch(LockedRow row, JdbcTemplate jdbc, JdbcClient client, JdbcRows rows, Outbox outbox) {
        this.batch = row.batch();
        this.version = row.version() + 1;
        this.jdbc = jdbc;
        this.client = client;
        this.rows = rows;
        this.outbox = outbox;
    }

    /** The batch as stored when the lock was taken. */
    public Batch batch() {
        return batch;
    }

    /**
     * Writes jobs that {@code node} owns and that are still RUNNING. Returns the ids of
     * those written: a job missing from them was taken from the node (its lease expired)
     * and settled.
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

    /**
     * Writes jobs whatever their owner, which is cleared (settling the jobs of a lost
     * replica).
     */
    public void updateJobs(List<Job> jobs) {
        jdbc.batchUpdate(JdbcRows.UPDATE_DISOWNED_JOB, jobs, jobs.size(),
                (ps, job) -> rows.setDisownedJobUpdate(ps, batch.id(), job, version));
    }

    /**
     * The RUNNING jobs that {@code node} owns ({@link ClusterStore#NO_OWNER}: those no
     * replica owns).
     */
    public List<Job> runningJobsOf(String node) {
        return client.sql("""
                SELECT * FROM job WHERE batch_id = ? AND COALESCE(owner_node, '') = ? AND state = 'RUNNING'
                ORDER BY seq""").params(batch.id(), node).query(rows::job).list();
    }

    /**
     * Ends every PENDING job and returns them: SKIPPED if it never started, CANCELLED if
     * it was put back to PENDING after its replica was lost (it ran before).
     */
    public List<Job> skipPending(Instant now) {
        return client.sql("""
                UPDATE job SET state = CASE WHEN attempts = 0 THEN 'SKIPPED' ELSE 'CANCELLED' END,
                    finished_at = ?, version = ?
                WHERE batch_id = ? AND state = 'PENDING'
                RETURNING *""").params(JdbcRows.utc(now), version, batch.id()).query(rows::job).list();
    }

    /**
     * Moves jobs back to PENDING, unowned, to be claimed again (resuming after a lost
     * replica).
     */
    public void requeue(List<Job> jobs) {
        updateJobs(jobs);
        moveCursorBackTo(jobs.stream().map(Job::id).toList());
    }

    /**
     * Puts back jobs that {@code node} claimed but never started (the claim committed,
     * but the replica never learned of it): PENDING again, their claim's attempt not
     * counted. Returns those put back.
     */
    public List<Job> unclaim(Collection<String> jobIds, String node) {
        List<Job> unclaimed = client.sql("""
                UPDATE job SET state = 'PENDING', owner_node = NULL, attempts = attempts - 1,
                    started_at = CASE WHEN attempts = 1 THEN NULL ELSE started_at END, version = ?
                WHERE batch_id = ? AND id = ANY (?) AND owner_node = ? AND state = 'RUNNING'
                RETURNING *""")
            .params(version, batch.id(), jobIds.toArray(String[]::new), node)
            .query(rows::job)
            .list();
        moveCursorBackTo(unclaimed.stream().map(Job::id).toList());
        return unclaimed;
    }

    /**
     * Moves the claim cursor back to the first of these jobs, now PENDING again, if it is
     * past it.
     */
    public void moveCursorBackTo(List<String> jobIds) {
        if (!jobIds.isEmpty()) {
            client.sql("""
                    UPDATE batch SET claim_cursor = LEAST(claim_cursor,
                        (SELECT MIN(seq) FROM job WHERE batch_id = ? AND id = ANY (?)))
                    WHERE id = ?""").params(batch.id(), jobIds.toArray(String[]::new), batch.id()).update();
        }
    }

    /**
     * Writes jobs a redrive made PENDING again, unowned, moves the claim cursor back to
     * the first of them and tells idle replicas once this transaction commits.
     */
    public void redrive(List<Job> jobs) {
        updateJobs(jobs);
        moveCursorBackTo(jobs.stream().map(Job::id).toList());
        announceWork();
    }

    /**
     * Writes the batch row with this change's version, and records the notifications it
     * causes, in this transaction.
     */
    public void save(Batch changed) {
        jdbc.update(JdbcRows.UPDATE_BATCH_VERSIONED, ps -> rows.setVersionedBatchUpdate(ps, changed, version));
        outbox.record(changed);
    }

    /**
     * Tells every replica, once this transaction commits, that the batch's current run
     * has a cause: {@code <batch id>} for run 1, as replicas of earlier versions send and
     * read it, {@code <batch id>:<run>} for a redriven run.
     */
    public void announceCause() {
        String payload = batch.run() == 1 ? batch.id().toString() : batch.id() + ":" + batch.run();
        ClusterStore.sendNotice(client, ClusterStore.CANCEL_CHANNEL, payload);
    }

    /**
     * Tells idle replicas, once this transaction commits, that the batch has jobs to
     * claim.
     */
    public void announceWork() {
        ClusterStore.sendNotice(client, ClusterStore.WORK_CHANNEL, "");
    }

}
