package dev.failfast.store;

import dev.failfast.batch.Batch;
import dev.failfast.batch.Job;
import dev.failfast.batch.JobState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Where batches and their jobs are kept.
 *
 * <p>
 * The engine calls {@link #create} once per batch and then {@link #update} with each
 * group of changes, always under that batch's lock, so the calls of one batch never
 * overlap and arrive in order. Reads may come from any thread at any time and must see a
 * batch and the job states it counts no older than the last completed update.
 * {@link #findBatch} must not depend on the number of jobs: the status of a 100 000-job
 * batch is read as often as that of a small one.
 *
 * <p>
 * A batch read back may carry a spec with an empty job list; its jobs are read with
 * {@link #findJobs}.
 */
public interface BatchStore {

    /** Stores a new batch and all its jobs. */
    default void create(Batch batch, List<Job> jobs) {
        create(batch, jobs, null);
    }

    /**
     * Stores a new batch and all its jobs, with the idempotency key it was submitted
     * with. When this returns, the batch and its key are stored (durably, for a durable
     * store).
     * @throws DuplicateIdempotencyKeyException when another batch holds the key; nothing
     * is stored
     */
    void create(Batch batch, List<Job> jobs, @Nullable IdempotencyKey key);

    /**
     * The batch that {@code tenant} created with this idempotency key, while that batch
     * exists. Keys are the tenant's own: another tenant's batch with the same key is not
     * found.
     */
    Optional<KeyedBatch> findByIdempotencyKey(String tenant, String key);

    /**
     * Replaces the batch and the given jobs (matched by job id) with these newer
     * versions.
     */
    void update(Batch batch, List<Job> changedJobs);

    /**
     * Writes every buffered change of this batch in one transaction before it returns:
     * once it returns, the batch and its jobs are stored as the last {@link #update} left
     * them (durably, for a durable store), even if the process is killed right after. The
     * engine calls it once a batch has recorded its cancellation cause, which a crash
     * must not lose once anything depends on it (the {@code 202} of a cancel, jobs being
     * skipped). Unlike {@link #update} it need not be called under the batch's lock: it
     * adds nothing, it writes what is buffered. A store that writes through does nothing.
     *
     * <p>
     * If it throws, the changes stay buffered, and a later flush writes them.
     * @throws WriteFencedException when this process no longer holds the database
     * @throws org.springframework.dao.DataAccessException when the database could not be
     * written
     */
    void flush(UUID batchId);

    Optional<Batch> findBatch(UUID id);

    /** Batches matching the query, newest first. */
    Page<Batch> findBatches(BatchQuery query, PageRequest page);

    /**
     * A batch's jobs in submission order, optionally only those in {@code state}, each
     * with its attempt history: what an engine reads to run or settle the jobs and write
     * them back.
     */
    Page<Job> findJobs(UUID batchId, @Nullable JobState state, PageRequest page);

    /**
     * A page of jobs as {@link #findJobs} reads it, but without their attempt history
     * ({@link Job#withoutHistory()}): what a list shows, at a cost that does not grow
     * with the jobs' attempts. A job read so must never be written back, which would lose
     * its history.
     */
    default Page<Job> listJobs(UUID batchId, @Nullable JobState state, PageRequest page) {
        Page<Job> jobs = findJobs(batchId, state, page);
        return new Page<>(jobs.content().stream().map(Job::withoutHistory).toList(), jobs.request(),
                jobs.totalElements());
    }

    /**
     * Every job of a batch, in submission order, each with its attempt history: what an
     * engine reads to settle, resume or redrive a whole batch. Read a page at a time.
     */
    default List<Job> findAllJobs(UUID batchId) {
        final int pageSize = 10_000;
        List<Job> jobs = new ArrayList<>();
        for (int page = 0;; page++) {
            Page<Job> next = findJobs(batchId, null, new PageRequest(page, pageSize));
            jobs.addAll(next.content());
            if (next.content().size() < pageSize) {
                return jobs;
            }
        }
    }

    /** One job, with its attempt history. */
    Optional<Job> findJob(UUID batchId, String jobId);

    /** Removes a batch and its jobs. Returns false if there was no such batch. */
    boolean delete(UUID id);

    /** Batches not terminal (QUEUED, RUNNING, CANCELLING), oldest first. */
    List<Batch> findUnfinished();

    /**
     * Throws if the store cannot be read now. Constant time: it reads no batch or job
     * table and flushes nothing, so a readiness probe that calls it often costs nothing.
     */
    void checkAvailable();

    /**
     * Removes terminal batches that finished before {@code cutoff}, with their jobs.
     * Returns how many.
     */
    int deleteFinishedBefore(Instant cutoff);

    /**
     * Writes changes that are still buffered. A store that writes through has nothing to
     * do. A failure is logged and the changes stay buffered: {@link #holdsUnwritten()}
     * tells.
     */
    default void flush() {
    }

    /**
     * Whether changes wait in a buffer, not yet written (the last flush could not write
     * them).
     */
    default boolean holdsUnwritten() {
        return false;
    }

}
