package dev.failfast.store;

import dev.failfast.batch.Batch;
import dev.failfast.batch.Job;
import dev.failfast.batch.JobState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.jspecify.annotations.Nullable;

/**
 * Keeps everything in memory; nothing survives a restart. Batch ids are time-ordered
 * UUIDs, so ordering the map by id in reverse lists the newest first.
 */
public final class InMemoryBatchStore implements BatchStore {

    private final ConcurrentNavigableMap<UUID, Entry> batches = new ConcurrentSkipListMap<>(Comparator.reverseOrder());

    private final Map<TenantKey, KeyedBatch> keys = new ConcurrentHashMap<>();

    private final Outbox outbox;

    /** A store that records no notifications. */
    public InMemoryBatchStore() {
        this(Outbox.NONE);
    }

    /**
     * @param outbox records the notifications of each batch version as it is stored
     */
    public InMemoryBatchStore(Outbox outbox) {
        this.outbox = outbox;
    }

    @Override
    public void create(Batch batch, List<Job> jobs, @Nullable IdempotencyKey key) {
        Map<String, Integer> index = HashMap.newHashMap(jobs.size());
        for (int i = 0; i < jobs.size(); i++) {
            index.put(jobs.get(i).id(), i);
        }
        TenantKey tenantKey = key == null ? null : new TenantKey(batch.owner().tenant(), key.key());
        Entry entry = new Entry(batch, new AtomicReferenceArray<>(jobs.toArray(Job[]::new)), Map.copyOf(index),
                tenantKey);
        if (batches.putIfAbsent(batch.id(), entry) != null) {
            throw new IllegalStateException("Batch " + batch.id() + " already exists");
        }
        // The batch goes in before its key, so whoever finds the key also finds the
        // batch.
        if (key != null && tenantKey != null
                && keys.putIfAbsent(tenantKey, new KeyedBatch(batch.id(), key.requestFingerprint())) != null) {
            batches.remove(batch.id());
            throw new DuplicateIdempotencyKeyException(key.key());
        }
    }

    @Override
    public Optional<KeyedBatch> findByIdempotencyKey(String tenant, String key) {
        return Optional.ofNullable(keys.get(new TenantKey(tenant, key)));
    }

    @Override
    public void update(Batch batch, List<Job> changedJobs) {
        Entry entry = batches.get(batch.id());
        if (entry == null) {
            return; // deleted meanwhile; the engine only deletes terminal batches, so
                    // nothing is lost
        }
        for (Job job : changedJobs) {
            entry.jobs.set(Objects.requireNonNull(entry.index.get(job.id())), job);
        }
        entry.batch = batch; // written last: a reader that sees this batch sees its jobs
                             // too
        outbox.record(batch);
    }

    /** Nothing to do: the heap is all there is, and a crash loses everything anyway. */
    @Override
    public void flush(UUID batchId) {
    }

    @Override
    public Optional<Batch> findBatch(UUID id) {
        Entry entry = batches.get(id);
        return entry == null ? Optional.empty() : Optional.of(entry.batch);
    }

    @Override
    public Page<Batch> findBatches(BatchQuery query, PageRequest page) {
        List<Batch> content = new ArrayList<>(page.size());
        long total = 0;
        for (Entry entry : batches.values()) {
            Batch batch = entry.batch;
            if (query.matches(batch)) {
                if (total >= page.offset() && content.size() < page.size()) {
                    content.add(batch);
                }
                total++;
            }
        }
        return new Page<>(content, page, total);
    }

    @Override
    public Page<Job> findJobs(UUID batchId, @Nullable JobState state, PageRequest page) {
        Entry entry = batches.get(batchId);
        if (entry == null) {
            return new Page<>(List.of(), page, 0);
        }
        List<Job> content = new ArrayList<>(page.size());
        // Unfiltered, a page starts at its position, as the JDBC store reads it.
        int from = state == null ? (int) Math.min(page.offset(), entry.jobs.length()) : 0;
        long matched = from;
        for (int i = from; i < entry.jobs.length() && content.size() < page.size(); i++) {
            Job job = entry.jobs.get(i);
            if (state == null || job.state() == state) {
                if (matched >= page.offset()) {
                    content.add(job);
                }
                matched++;
            }
        }
        Batch batch = entry.batch;
        long total = state == null ? batch.counts().total() : batch.counts().of(state);
        return new Page<>(content, page, total);
    }

    /** The heap is always there. */
    @Override
    public void checkAvailable() {
    }

    @Override
    public Optional<Job> findJob(UUID batchId, String jobId) {
        Entry entry = batches.get(batchId);
        if (entry == null) {
            return Optional.empty();
        }
        Integer i = entry.index.get(jobId);
        return i == null ? Optional.empty() : Optional.of(entry.jobs.get(i));
    }

    @Override
    public boolean delete(UUID id) {
        Entry removed = batches.remove(id);
        if (removed != null && removed.idempotencyKey != null) {
            keys.remove(removed.idempotencyKey);
        }
        return removed != null;
    }

    @Override
    public List<Batch> findUnfinished() {
        return batches.descendingMap()
            .values()
            .stream()
            .map(entry -> entry.batch)
            .filter(batch -> !batch.state().isTerminal())
            .toList();
    }

    @Override
    public int deleteFinishedBefore(Instant cutoff) {
        int deleted = 0;
        for (Entry entry : batches.values()) {
            Batch batch = entry.batch;
            if (batch.state().isTerminal() && batch.finishedAt() != null && batch.finishedAt().isBefore(cutoff)
                    && delete(batch.id())) {
                deleted++;
            }
        }
        return deleted;
    }

    /** An idempotency key is the tenant's own. */
    private record TenantKey(String tenant, String key) {
    }

    private static final class Entry {

        final AtomicReferenceArray<Job> jobs;

        final Map<String, Integer> index;

        final @Nullable TenantKey idempotencyKey;

        volatile Batch batch;

        Entry(Batch batch, AtomicReferenceArray<Job> jobs, Map<String, Integer> index,
                @Nullable TenantKey idempotencyKey) {
            this.batch = batch;
            this.jobs = jobs;
            this.index = index;
            this.idempotencyKey = idempotencyKey;
        }

    }

}
