package dev.failfast.store;

import static dev.failfast.store.SqlTimestamps.instant;
import static dev.failfast.store.SqlTimestamps.requireInstant;

import dev.failfast.batch.Batch;
import dev.failfast.batch.BatchSpec;
import dev.failfast.batch.BatchState;
import dev.failfast.batch.CancellationCause;
import dev.failfast.batch.CauseType;
import dev.failfast.batch.FailurePolicy;
import dev.failfast.batch.Job;
import dev.failfast.batch.JobCounts;
import dev.failfast.batch.JobError;
import dev.failfast.batch.JobSpec;
import dev.failfast.batch.JobState;
import dev.failfast.batch.JobTally;
import dev.failfast.batch.Owner;
import dev.failfast.batch.RetryPolicy;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The SQL of the JDBC store and the mapping between rows and domain records, in one
 * place.
 */
final class JdbcRows {

    static final String INSERT_BATCH = """
            INSERT INTO batch (id, name, labels, failure_policy, max_failures, max_parallelism, deadline, state,
                created_at, started_at, finished_at, jobs_total, jobs_pending, jobs_running, jobs_succeeded,
                jobs_failed, jobs_cancelled, jobs_skipped, cause, cause_job_id, cause_error_type, cause_message,
                cause_reason, cause_requested_by, cause_requested_at, cause_completed_at, cause_report,
                idempotency_key, request_fingerprint, tenant, submitted_by, policies, ignored_failures,
                listed_succeeded, succeeded_millis, cause_rule, redrive, past_runs, notifications)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
                ?, ?, ?, ?, ?, ?, ?, ?, ?)""";

    static final String UPDATE_BATCH = """
            UPDATE batch SET state = ?, started_at = ?, finished_at = ?, jobs_total = ?, jobs_pending = ?,
                jobs_running = ?, jobs_succeeded = ?, jobs_failed = ?, jobs_cancelled = ?, jobs_skipped = ?,
                cause = ?, cause_job_id = ?, cause_error_type = ?, cause_message = ?, cause_reason = ?,
                cause_requested_by = ?, cause_requested_at = ?, cause_completed_at = ?, cause_report = ?,
                ignored_failures = ?, listed_succeeded = ?, succeeded_millis = ?, cause_rule = ?, redrive = ?,
                past_runs = ?
            WHERE id = ?""";

    static final String INSERT_LABEL = "INSERT INTO batch_label (batch_id, label_key, label_value) VALUES (?, ?, ?)";

    static final String INSERT_JOB = """
            INSERT INTO job (batch_id, seq, id, type, params, timeout, retry_max_attempts, retry_backoff,
                retry_multiplier, retry_max_backoff, state, attempts, started_at, finished_at, error_type,
                error_message, error_exception, result, abandoned, deferrals, ignored, error_http_status,
                attempt_history, run)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""";

    static final String UPDATE_JOB = """
            UPDATE job SET state = ?, attempts = ?, started_at = ?, finished_at = ?, error_type = ?,
                error_message = ?, error_exception = ?, result = ?, abandoned = ?, deferrals = ?, ignored = ?,
                error_http_status = ?, attempt_history = ?, run = ?
            WHERE batch_id = ? AND id = ?""";

    /**
     * The job columns a list reads: every one but {@code attempt_history}, which only a
     * read of one job, and an engine's, need. A column added to the job table must be
     * added here too (MigrationTest checks that it is).
     */
    static final String LISTED_JOB_COLUMNS = """
            batch_id, id, seq, type, params, timeout, retry_max_attempts, retry_backoff, retry_multiplier,
            retry_max_backoff, state, attempts, started_at, finished_at, error_type, error_message, error_exception,
            result, abandoned, owner_node, version, deferrals, ignored, error_http_status, run""";

    /** A change made by a cluster node: the batch row with its new version. */
    static final String UPDATE_BATCH_VERSIONED = UPDATE_BATCH.replace("UPDATE batch SET ",
            "UPDATE batch SET version = ?, ");

    /**
     * A job change made by the cluster node that owns the job: changes nothing if it lost
     * the job meanwhile.
     */
    static final String UPDATE_OWNED_JOB = UPDATE_JOB.replace("UPDATE job SET ", "UPDATE job SET version = ?, ")
            + " AND owner_node = ? AND state = 'RUNNING'";

    /**
     * A job change made for a cluster node that was lost: whoever owned the job, it is
     * owned by none after.
     */
    static final String UPDATE_DISOWNED_JOB = UPDATE_JOB.replace("UPDATE job SET ",
            "UPDATE job SET version = ?, owner_node = NULL, ");

    static final String TERMINAL_STATES = "('SUCCEEDED', 'FAILED', 'CANCELLED')";

    private final JsonMapper json;

    private final JsonColumns columns;

    private final PoliciesJson policies;

    JdbcRows(JsonMapper json) {
        this.json = json;
        this.columns = new JsonColumns(json);
        this.policies = new PoliciesJson(json);
    }

    // ---- writing ----------------------------------------------------------------------

    void setBatchInsert(PreparedStatement ps, Batch batch, @Nullable IdempotencyKey key) throws SQLException {
        BatchSpec spec = batch.spec();
        int i = 0;
        ps.setObject(++i, batch.id());
        setString(ps, ++i, spec.name());
        ps.setString(++i, json.writeValueAsString(storable(spec.labels())));
        ps.setString(++i, spec.failurePolicy().name());
        setInteger(ps, ++i, spec.maxFailures());
        ps.setInt(++i, spec.maxParallelism());
        setDuration(ps, ++i, spec.deadline());
        ps.setString(++i, batch.state().name());
        setInstant(ps, ++i, batch.createdAt());
        setInstant(ps, ++i, batch.startedAt());
        setInstant(ps, ++i, batch.finishedAt());
        i = setCounts(ps, i, batch.counts());
        i = setCause(ps, i, batch.cancellation());
        setString(ps, ++i, key == null ? null : key.key());
        setString(ps, ++i, key == null ? null : key.requestFingerprint());
        ps.setString(++i, batch.owner().tenant());
        setString(ps, ++i, batch.owner().submittedBy());
        setString(ps, ++i, policies.write(spec.policies()));
        i = setTally(ps, i, batch.tally());
        setString(ps, ++i, batch.cancellation() == null ? null : batch.cancellation().rule());
        i = setRuns(ps, i, batch);
        setString(ps, ++i, columns.notifications(spec.notifications()));
    }

    void setBatchUpdate(PreparedStatement ps, Batch batch) throws SQLException {
        setBatchUpdate(ps, 0, batch);
    }

    void setVersionedBatchUpdate(PreparedStatement ps, Batch batch, long version) throws SQLException {
        ps.setLong(1, version);
        setBatchUpdate(ps, 1, batch);
    }

    private void setBatchUpdate(PreparedStatement ps, int i, Batch batch) throws SQLException {
        ps.setString(++i, batch.state().name());
        setInstant(ps, ++i, batch.startedAt());
        setInstant(ps, ++i, batch.finishedAt());
        i = setCounts(ps, i, batch.counts());
        i = setCause(ps, i, batch.cancellation());
        i = setTally(ps, i, batch.tally());
        setString(ps, ++i, batch.cancellation() == null ? null : batch.cancellation().rule());
        i = setRuns(ps, i, batch);
        ps.setObject(++i, batch.id());
    }

    private int setRuns(PreparedStatement ps, int i, Batch batch) throws SQLException {
        setString(ps, ++i, columns.redrive(batch.redrive()));
        setString(ps, ++i, columns.pastRuns(batch.pastRuns()));
        return i;
    }

    void setJobInsert(PreparedStatement ps, UUID batchId, int seq, Job job) throws SQLException {
        JobSpec spec = job.spec();
        RetryPolicy retry = spec.retry();
        int i = 0;
        ps.setObject(++i, batchId);
        ps.setInt(++i, seq);
        ps.setString(++i, spec.id());
        ps.setString(++i, spec.type());
        ps.setString(++i, json.writeValueAsString(spec.params()));
        setDuration(ps, ++i, spec.timeout());
        ps.setInt(++i, retry.maxAttempts());
        ps.setString(++i, retry.backoff().toString());
        ps.setDouble(++i, retry.multiplier());
        ps.setString(++i, retry.maxBackoff().toString());
        setJobState(ps, i, job);
    }

    void setJobUpdate(PreparedStatement ps, UUID batchId, Job job) throws SQLException {
        setJobUpdate(ps, 0, batchId, job);
    }

    void setDisownedJobUpdate(PreparedStatement ps, UUID batchId, Job job, long version) throws SQLException {
        ps.setLong(1, version);
        setJobUpdate(ps, 1, batchId, job);
    }

    private void setJobUpdate(PreparedStatement ps, int i, UUID batchId, Job job) throws SQLException {
        i = setJobState(ps, i, job);
        ps.setObject(++i, batchId);
        ps.setString(++i, job.id());
    }

    void setOwnedJobUpdate(PreparedStatement ps, UUID batchId, Job job, long version, String owner)
            throws SQLException {
        ps.setLong(1, version);
        int i = setJobState(ps, 1, job);
        ps.setObject(++i, batchId);
        ps.setString(++i, job.id());
        ps.setString(++i, owner);
    }

    private int setJobState(PreparedStatement ps, int i, Job job) throws SQLException {
        ps.setString(++i, job.state().name());
        ps.setInt(++i, job.attempts());
        setInstant(ps, ++i, job.startedAt());
        setInstant(ps, ++i, job.finishedAt());
        JobError error = job.error();
        setString(ps, ++i, error == null ? null : error.type());
        setString(ps, ++i, error == null ? null : error.message());
        setString(ps, ++i, error == null ? null : error.exception());
        setString(ps, ++i, job.result() == null ? null : json.writeValueAsString(job.result()));
        ps.setBoolean(++i, job.abandoned());
        ps.setInt(++i, job.deferrals());
        ps.setBoolean(++i, job.ignored());
        setInteger(ps, ++i, error == null ? null : error.httpStatus());
        setString(ps, ++i, columns.history(job.history(), job.droppedAttempts()));
        ps.setInt(++i, job.run());
        return i;
    }

    private static int setCounts(PreparedStatement ps, int i, JobCounts counts) throws SQLException {
        ps.setInt(++i, counts.total());
        ps.setInt(++i, counts.pending());
        ps.setInt(++i, counts.running());
        ps.setInt(++i, counts.succeeded());
        ps.setInt(++i, counts.failed());
        ps.setInt(++i, counts.cancelled());
        ps.setInt(++i, counts.skipped());
        return i;
    }

    private static int setTally(PreparedStatement ps, int i, JobTally tally) throws SQLException {
        ps.setInt(++i, tally.ignoredFailures());
        ps.setInt(++i, tally.listedSucceeded());
        ps.setLong(++i, tally.succeededMillis());
        return i;
    }

    private static void setInteger(PreparedStatement ps, int i, @Nullable Integer value) throws SQLException {
        if (value == null) {
            ps.setNull(i, Types.INTEGER);
        }
        else {
            ps.setInt(i, value);
        }
    }

    private int setCause(PreparedStatement ps, int i, @Nullable CancellationCause cause) throws SQLException {
        setString(ps, ++i, cause == null ? null : cause.cause().name());
        setString(ps, ++i, cause == null ? null : cause.jobId());
        setString(ps, ++i, cause == null ? null : cause.errorType());
        setString(ps, ++i, cause == null ? null : cause.message());
        setString(ps, ++i, cause == null ? null : cause.reason());
        setString(ps, ++i, cause == null ? null : cause.requestedBy());
        setInstant(ps, ++i, cause == null ? null : cause.requestedAt());
        setInstant(ps, ++i, cause == null ? null : cause.completedAt());
        setString(ps, ++i, cause == null ? null : columns.report(cause.report()));
        return i;
    }

    private static void setString(PreparedStatement ps, int i, @Nullable String value) throws SQLException {
        if (value == null) {
            ps.setNull(i, Types.VARCHAR);
        }
        else {
            ps.setString(i, storable(value));
        }
    }

    /**
     * Text as every supported database can store it: PostgreSQL refuses NUL characters,
     * which a client's batch name or a job's error message may contain. They become
     * U+FFFD.
     */
    static String storable(String text) {
        return text.indexOf('\u0000') < 0 ? text : text.replace('\u0000', '\uFFFD');
    }

    /**
     * Labels as {@link #storable(String)} text, in their order, as the label table keeps
     * them too.
     */
    static Map<String, String> storable(Map<String, String> labels) {
        Map<String, String> stored = new LinkedHashMap<>();
        labels.forEach((key, value) -> stored.put(storable(key), storable(value)));
        return stored;
    }

    private static void setDuration(PreparedStatement ps, int i, @Nullable Duration value) throws SQLException {
        setString(ps, i, value == null ? null : value.toString());
    }

    /** An instant as a query parameter: {@code TIMESTAMP WITH TIME ZONE}, in UTC. */
    static OffsetDateTime utc(Instant instant) {
        return SqlTimestamps.utc(instant);
    }

    private static void setInstant(PreparedStatement ps, int i, @Nullable Instant value) throws SQLException {
        if (value == null) {
            ps.setNull(i, Types.TIMESTAMP_WITH_TIMEZONE);
        }
        else {
            ps.setObject(i, value.atOffset(ZoneOffset.UTC), Types.TIMESTAMP_WITH_TIMEZONE);
        }
    }

    // ---- reading ----------------------------------------------------------------------

    Batch batch(ResultSet rs, int row) throws SQLException {
        Map<String, String> labels = new LinkedHashMap<>();
        json.readTree(rs.getString("labels"))
            .properties()
            .forEach(e -> labels.put(e.getKey(), e.getValue().asString()));
        var spec = new BatchSpec(rs.getString("name"), labels, FailurePolicy.valueOf(rs.getString("failure_policy")),
                integer(rs, "max_failures"), rs.getInt("max_parallelism"), duration(rs, "deadline"), List.of(),
                policies.read(rs.getString("policies")), columns.notifications(rs.getString("notifications")));
        var counts = new JobCounts(rs.getInt("jobs_total"), rs.getInt("jobs_pending"), rs.getInt("jobs_running"),
                rs.getInt("jobs_succeeded"), rs.getInt("jobs_failed"), rs.getInt("jobs_cancelled"),
                rs.getInt("jobs_skipped"));
        String cause = rs.getString("cause");
        CancellationCause cancellation = cause == null ? null
                : new CancellationCause(CauseType.valueOf(cause), rs.getString("cause_job_id"),
                        rs.getString("cause_error_type"), rs.getString("cause_message"), rs.getString("cause_reason"),
                        rs.getString("cause_requested_by"), requireInstant(rs, "cause_requested_at"),
                        instant(rs, "cause_completed_at"), rs.getString("cause_rule"),
                        columns.report(rs.getString("cause_report")));
        var owner = new Owner(rs.getString("tenant"), rs.getString("submitted_by"));
        var tally = new JobTally(rs.getInt("ignored_failures"), rs.getInt("listed_succeeded"),
                rs.getLong("succeeded_millis"));
        return new Batch(rs.getObject("id", UUID.class), owner, spec, BatchState.valueOf(rs.getString("state")),
                requireInstant(rs, "created_at"), instant(rs, "started_at"), instant(rs, "finished_at"), counts,
                cancellation, tally, columns.pastRuns(rs.getString("past_runs")),
                columns.redrive(rs.getString("redrive")));
    }

    /** A job with its attempt history: a row of every column. */
    Job job(ResultSet rs, int row) throws SQLException {
        String history = rs.getString("attempt_history");
        return listedJob(rs, row).withHistory(columns.records(history), columns.dropped(history));
    }

    /**
     * A job without its attempt history: a row of {@link #LISTED_JOB_COLUMNS} (or more).
     */
    Job listedJob(ResultSet rs, int row) throws SQLException {
        var retry = new RetryPolicy(rs.getInt("retry_max_attempts"), Duration.parse(rs.getString("retry_backoff")),
                rs.getDouble("retry_multiplier"), Duration.parse(rs.getString("retry_max_backoff")));
        var spec = new JobSpec(rs.getString("id"), rs.getString("type"),
                (ObjectNode) json.readTree(rs.getString("params")), duration(rs, "timeout"), retry);
        String errorType = rs.getString("error_type");
        JobError error = errorType == null ? null : new JobError(errorType, rs.getString("error_message"),
                rs.getString("error_exception"), integer(rs, "error_http_status"));
        String result = rs.getString("result");
        JsonNode resultNode = result == null ? null : json.readTree(result);
        return new Job(spec, JobState.valueOf(rs.getString("state")), rs.getInt("attempts"), instant(rs, "started_at"),
                instant(rs, "finished_at"), error, resultNode, rs.getBoolean("abandoned"), rs.getInt("deferrals"),
                rs.getBoolean("ignored"), rs.getInt("run"), List.of());
    }

    KeyedBatch keyedBatch(ResultSet rs, int row) throws SQLException {
        return new KeyedBatch(rs.getObject("id", UUID.class), rs.getString("request_fingerprint"));
    }

    private static @Nullable Integer integer(ResultSet rs, String column) throws SQLException {
        int value = rs.getInt(column);
        return rs.wasNull() ? null : value;
    }

    private static @Nullable Duration duration(ResultSet rs, String column) throws SQLException {
        String value = rs.getString(column);
        return value == null ? null : Duration.parse(value);
    }

}
