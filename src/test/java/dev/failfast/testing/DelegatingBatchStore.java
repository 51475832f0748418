package dev.failfast.testing;

import dev.failfast.batch.Batch;
import dev.failfast.batch.Job;
import dev.failfast.batch.JobState;
import dev.failfast.store.BatchQuery;
import dev.failfast.store.BatchStore;
import dev.failfast.store.IdempotencyKey;
import dev.failfast.store.InMemoryBatchStore;
import dev.failfast.store.KeyedBatch;
import dev.failfast.store.Page;
import dev.failfast.store.PageRequest;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A {@link BatchStore} that hands every call to an in-memory store: a test overrides the
 * calls it wants to observe or break, and the rest behave as a store does.
 */
public class DelegatingBatchStore implements BatchStore {

    private final BatchStore delegate = new InMemoryBatchStore();

    @Override
    public void create(Batch batch, List<Job> jobs, @Nullable IdempotencyKey key) {
        delegate.create(batch, jobs, key);
    }

    @Override
    public Optional<KeyedBatch> findByIdempotencyKey(String tenant, String key) {
        return delegate.findByIdempotencyKey(tenant, key);
    }

    @Override
    public void update(Batch batch, List<Job> changedJobs) {
        delegate.update(batch, changedJobs);
    }

    @Override
    public void flush(UUID batchId) {
        delegate.flush(batchId);
    }

    @Override
    public void flush() {
        delegate.flush();
    }

    @Override
    public boolean holdsUnwritten() {
        return delegate.holdsUnwritten();
    }

    @Override
    public Optional<Batch> findBatch(UUID id) {
        return delegate.findBatch(id);
    }

    @Override
    public Page<Batch> findBatches(BatchQuery query, PageRequest page) {
        return delegate.findBatches(query, page);
    }

    @Override
    public Page<Job> findJobs(UUID batchId, @Nullable JobState state, PageRequest page) {
        return delegate.findJobs(batchId, state, page);
    }

    @Override
    public Page<Job> listJobs(UUID batchId, @Nullable JobState state, PageRequest page) {
        return delegate.listJobs(batchId, state, page);
    }

    @Override
    public Optional<Job> findJob(UUID batchId, String jobId) {
        return delegate.findJob(batchId, jobId);
    }

    @Override
    public void checkAvailable() {
        delegate.checkAvailable();
    }

    @Override
    public List<Batch> findUnfinished() {
        return delegate.findUnfinished();
    }

    @Override
    public int deleteFinishedBefore(Instant cutoff) {
        return delegate.deleteFinishedBefore(cutoff);
    }

    @Override
    public boolean delete(UUID id) {
        return delegate.delete(id);
    }

}
