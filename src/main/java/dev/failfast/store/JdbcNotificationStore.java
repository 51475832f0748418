package dev.failfast.store;

import static dev.failfast.store.SqlTimestamps.instant;
import static dev.failfast.store.SqlTimestamps.requireInstant;
import static dev.failfast.store.SqlTimestamps.utc;
import static dev.failfast.store.SqlTimestamps.utcOrNull;

import dev.failfast.batch.Batch;
import dev.failfast.batch.NotificationEvent;
import java.net.URI;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Notifications and subscriptions in the database (migration V12), on H2 and PostgreSQL.
 *
 * <p>
 * {@link #record} runs in the transaction of the batch write that calls it, on the same
 * data source, so the notification rows commit or roll back with the change. It
 * remembers, once that transaction committed, which events of which runs it recorded, so
 * that the many later writes of a batch that has ended cost no query. Claims are
 * conditional updates: of two replicas claiming one notification, the database lets one
 * win.
 */
public final class JdbcNotificationStore implements NotificationStore {

    /** Forget what was recorded beyond this many run events; the table still knows. */
    private static final int MAX_REMEMBERED = 100_000;

    /**
     * Inserts a notification. {@link #record} inserts only events of which the run has no
     * row yet, and writes of one batch never overlap (the flush lock, the batch's row
     * lock), so the unique key (batch, run, event, target) is never hit.
     */
    private static final String INSERT = """
            INSERT INTO notification (id, batch_id, tenant, run, event, target, subscription_id, url, headers,
                secret, payload, status, attempts, created_at, next_attempt_at, give_up_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""";

    private final JdbcTemplate jdbc;

    private final JdbcClient client;

    private final JsonMapper json;

    private final OutboxRows outboxRows;

    private final Clock clock;

    private final Set<String> recorded = ConcurrentHashMap.newKeySet();

    public JdbcNotificationStore(DataSource dataSource, JsonMapper json, PayloadWriter payloads, Supplier<UUID> ids,
            Duration retryFor, Clock clock) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.client = JdbcClient.create(jdbc);
        this.json = json;
        this.outboxRows = new OutboxRows(payloads, ids, retryFor);
        this.clock = clock;
    }

    // ---- the outbox -------------------------------------------------------------------

    @Override
    public void record(Batch batch) {
        List<NotificationEvent> fresh = new ArrayList<>();
        for (NotificationEvent event : NotificationEvent.reachedBy(batch)) {
            if (!recorded.contains(OutboxRows.key(batch, event))) {
                fresh.add(event);
            }
        }
        if (fresh.isEmpty()) {
            return;
        }
        Set<String> stored = new HashSet<>(
                client.sql("SELECT DISTINCT event FROM notification WHERE batch_id = ? AND run = ?")
                    .params(batch.id(), batch.run())
                    .query(String.class)
                    .list());
        List<NotificationEvent> missing = fresh.stream().filter(event -> !stored.contains(event.value())).toList();
        if (!missing.isEmpty()) {
            List<Notification> rows = outboxRows.rows(batch, missing, subscriptions(batch.owner().tenant()),
                    clock.instant());
            jdbc.batchUpdate(INSERT, rows, rows.size(), this::setInsert);
        }
        List<String> keys = fresh.stream().map(event -> OutboxRows.key(batch, event)).toList();
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            // Remembered once committed: a rolled-back write must record them again.
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    remember(keys);
                }
            });
        }
        else {
            remember(keys);
        }
    }

    private void remember(List<String> keys) {
        if (recorded.size() > MAX_REMEMBERED) {
            recorded.clear();
        }
        recorded.addAll(keys);
    }

    private void setInsert(PreparedStatement ps, Notification n) throws SQLException {
        int i = 0;
        ps.setObject(++i, n.id());
        ps.setObject(++i, n.batchId());
        ps.setString(++i, n.tenant());
        ps.setInt(++i, n.run());
        ps.setString(++i, n.event().value());
        ps.setString(++i, n.target());
        ps.setObject(++i, n.subscriptionId());
        ps.setString(++i, n.url().toString());
        ps.setString(++i, headers(n.headers()));
        ps.setString(++i, n.secret());
        ps.setString(++i, n.payload());
        ps.setString(++i, n.status().name());
        ps.setInt(++i, n.attempts());
        ps.setObject(++i, utc(n.createdAt()));
        ps.setObject(++i, utcOrNull(n.nextAttemptAt()));
        ps.setObject(++i, utc(n.giveUpAt()));
    }

    // ---- deliveries -------------------------------------------------------------------

    @Override
    public List<Notification> claimDue(String node, Instant now, Instant until, int max) {
        List<UUID> candidates = candidates(now, max);
        List<Notification> claimed = new ArrayList<>();
        for (UUID id : candidates) {
            // Conditional: of two replicas that read the same candidate, one updates it.
            int won = client.sql("""
                    UPDATE notification SET claimed_by = ?, claimed_until = ? WHERE id = ? AND status = 'PENDING'
                        AND (claimed_until IS NULL OR claimed_until < ?)""")
                .params(node, utc(until), id, utc(now))
                .update();
            if (won == 1) {
                client.sql("SELECT * FROM notification WHERE id = ?")
                    .param(id)
                    .query(this::notification)
                    .optional()
                    .ifPresent(claimed::add);
            }
        }
        return claimed;
    }

    /** Due notifications no one holds a claim on, oldest due first. */
    // The column is never NULL; Spring types one-column rows as nullable.
    @SuppressWarnings("NullAway")
    private List<UUID> candidates(Instant now, int max) {
        return client.sql("""
                SELECT id FROM notification WHERE status = 'PENDING' AND next_attempt_at <= ?
                    AND (claimed_until IS NULL OR claimed_until < ?)
                ORDER BY next_attempt_at, id LIMIT ?""").params(utc(now), utc(now), max).query(UUID.class).list();
    }

    @Override
    public int releaseClaims() {
        return client
            .sql("UPDATE notification SET claimed_by = NULL, claimed_until = NULL WHERE claimed_by IS NOT NULL")
            .update();
    }

    @Override
    public void recordDelivered(UUID id, int httpStatus, Instant at) {
        client.sql("""
                UPDATE notification SET status = 'DELIVERED', attempts = attempts + 1, last_status = ?,
                    last_error = NULL, last_attempt_at = ?, delivered_at = ?, next_attempt_at = NULL,
                    claimed_by = NULL, claimed_until = NULL
                WHERE id = ? AND status = 'PENDING'""").params(httpStatus, utc(at), utc(at), id).update();
    }

    @Override
    public void recordFailedAttempt(UUID id, String node, @Nullable Integer httpStatus, String error, Instant at,
            @Nullable Instant nextAttempt) {
        client.sql("""
                UPDATE notification SET status = ?, attempts = attempts + 1, last_status = ?, last_error = ?,
                    last_attempt_at = ?, next_attempt_at = ?, claimed_by = NULL, claimed_until = NULL
                WHERE id = ? AND status = 'PENDING' AND claimed_by = ?""")
            .params(Arrays.asList((nextAttempt == null ? NotificationStatus.FAILED : NotificationStatus.PENDING).name(),
                    httpStatus, Notification.cutError(error), utc(at), utcOrNull(nextAttempt), id, node))
            .update();
    }

    @Override
    public List<Notification> findByBatch(UUID batchId) {
        return client.sql("SELECT * FROM notification WHERE batch_id = ? ORDER BY created_at, id")
            .param(batchId)
            .query(this::notification)
            .list();
    }

    @Override
    public Optional<Notification> find(UUID batchId, UUID id) {
        return client.sql("SELECT * FROM notification WHERE id = ? AND batch_id = ?")
            .params(id, batchId)
            .query(this::notification)
            .optional();
    }

    @Override
    public Optional<Notification> resend(UUID batchId, UUID id, Instant now, Instant giveUpAt) {
        int changed = client.sql("""
                UPDATE notification SET status = 'PENDING', next_attempt_at = ?, give_up_at = ?, delivered_at = NULL,
                    claimed_by = NULL, claimed_until = NULL
                WHERE id = ? AND batch_id = ? AND status <> 'PENDING'""")
            .params(utc(now), utc(giveUpAt), id, batchId)
            .update();
        return changed == 0 ? Optional.empty() : find(batchId, id);
    }

    @Override
    public long count(NotificationStatus status) {
        return client.sql("SELECT COUNT(*) FROM notification WHERE status = ?")
            .param(status.name())
            .query(Long.class)
            .single();
    }

    @Override
    public int deleteSettledBefore(Instant cutoff) {
        return client.sql("""
                DELETE FROM notification WHERE status <> 'PENDING' AND created_at < ?
                    AND NOT EXISTS (SELECT 1 FROM batch b WHERE b.id = notification.batch_id
                        AND (b.state NOT IN""" + JdbcRows.TERMINAL_STATES + " OR b.finished_at >= ?))")
            .params(utc(cutoff), utc(cutoff))
            .update();
    }

    // ---- subscriptions ----------------------------------------------------------------

    @Override
    public void createSubscription(Subscription s) {
        client.sql("""
                INSERT INTO subscription (id, tenant, url, events, headers, secret, previous_secret,
                    previous_secret_expires_at, created_at, created_by)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")
            .params(Arrays.asList(s.id(), s.tenant(), s.url().toString(), events(s.events()), headers(s.headers()),
                    s.secret(), s.previousSecret(), utcOrNull(s.previousSecretExpiresAt()), utc(s.createdAt()),
                    s.createdBy()))
            .update();
    }

    @Override
    public List<Subscription> subscriptions(String tenant) {
        return client.sql("SELECT * FROM subscription WHERE tenant = ? ORDER BY created_at, id")
            .param(tenant)
            .query(this::subscription)
            .list();
    }

    @Override
    public Optional<Subscription> findSubscription(UUID id) {
        return client.sql("SELECT * FROM subscription WHERE id = ?").param(id).query(this::subscription).optional();
    }

    @Override
    public boolean updateSubscription(Subscription s) {
        return client.sql("""
                UPDATE subscription SET url = ?, events = ?, headers = ?, secret = ?, previous_secret = ?,
                    previous_secret_expires_at = ?
                WHERE id = ?""")
            .params(Arrays.asList(s.url().toString(), events(s.events()), headers(s.headers()), s.secret(),
                    s.previousSecret(), utcOrNull(s.previousSecretExpiresAt()), s.id()))
            .update() == 1;
    }

    @Override
    public boolean deleteSubscription(UUID id) {
        return client.sql("DELETE FROM subscription WHERE id = ?").param(id).update() == 1;
    }

    // ---- rows -------------------------------------------------------------------------

    private Notification notification(ResultSet rs, int row) throws SQLException {
        int lastStatus = rs.getInt("last_status");
        Integer status = rs.wasNull() ? null : lastStatus;
        return new Notification(rs.getObject("id", UUID.class), rs.getObject("batch_id", UUID.class),
                rs.getString("tenant"), rs.getInt("run"), event(rs.getString("event")), rs.getString("target"),
                rs.getObject("subscription_id", UUID.class), URI.create(rs.getString("url")),
                headers(rs.getString("headers")), rs.getString("secret"), rs.getString("payload"),
                NotificationStatus.valueOf(rs.getString("status")), rs.getInt("attempts"), status,
                rs.getString("last_error"), requireInstant(rs, "created_at"), instant(rs, "next_attempt_at"),
                instant(rs, "last_attempt_at"), instant(rs, "delivered_at"), requireInstant(rs, "give_up_at"));
    }

    private Subscription subscription(ResultSet rs, int row) throws SQLException {
        Set<NotificationEvent> events = EnumSet.noneOf(NotificationEvent.class);
        Arrays.stream(rs.getString("events").split(",")).map(JdbcNotificationStore::event).forEach(events::add);
        return new Subscription(rs.getObject("id", UUID.class), rs.getString("tenant"), URI.create(rs.getString("url")),
                events, headers(rs.getString("headers")), rs.getString("secret"), rs.getString("previous_secret"),
                instant(rs, "previous_secret_expires_at"), requireInstant(rs, "created_at"),
                rs.getString("created_by"));
    }

    private static NotificationEvent event(String value) {
        return NotificationEvent.of(value)
            .orElseThrow(() -> new IllegalStateException("Unknown notification event in the database: " + value));
    }

    private static String events(Set<NotificationEvent> events) {
        return events.stream().map(NotificationEvent::value).sorted().collect(Collectors.joining(","));
    }

    private @Nullable String headers(ObjectNode headers) {
        return headers.isEmpty() ? null : json.writeValueAsString(headers);
    }

    private ObjectNode headers(@Nullable String stored) {
        return stored == null ? json.createObjectNode() : (ObjectNode) json.readTree(stored);
    }

}
