package dev.failfast.security;

import static dev.failfast.store.SqlTimestamps.instant;
import static dev.failfast.store.SqlTimestamps.requireInstant;
import static dev.failfast.store.SqlTimestamps.utc;
import static dev.failfast.store.SqlTimestamps.utcOrNull;

import dev.failfast.store.Page;
import dev.failfast.store.PageRequest;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;

/** API keys in the {@code api_key} table (migration V6), on H2 or PostgreSQL. */
final class JdbcApiKeyStore implements ApiKeyStore {

    private final JdbcClient client;

    JdbcApiKeyStore(DataSource dataSource) {
        this.client = JdbcClient.create(dataSource);
    }

    @Override
    public void insert(ApiKey key, String hash) {
        client.sql("""
                INSERT INTO api_key (id, name, tenant, scopes, key_hash, key_prefix, created_at, created_by, expires_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""")
            .params(Arrays.asList(key.id(), key.name(), key.tenant(), scopes(key.scopes()), hash, key.prefix(),
                    utc(key.createdAt()), key.createdBy(), utcOrNull(key.expiresAt())))
            .update();
    }

    @Override
    public Optional<ApiKey> findByHash(String hash) {
        return client.sql("SELECT * FROM api_key WHERE key_hash = ?")
            .param(hash)
            .query(JdbcApiKeyStore::key)
            .optional();
    }

    @Override
    public Optional<ApiKey> find(UUID id) {
        return client.sql("SELECT * FROM api_key WHERE id = ?").param(id).query(JdbcApiKeyStore::key).optional();
    }

    @Override
    public Page<ApiKey> list(@Nullable String tenant, PageRequest page) {
        String where = tenant == null ? "" : " WHERE tenant = ?";
        List<Object> params = tenant == null ? List.of() : List.of(tenant);
        long total = client.sql("SELECT COUNT(*) FROM api_key" + where).params(params).query(Long.class).single();
        List<ApiKey> content = client
            .sql("SELECT * FROM api_key" + where + " ORDER BY created_at DESC, id DESC" + " LIMIT " + page.size()
                    + " OFFSET " + page.offset())
            .params(params)
            .query(JdbcApiKeyStore::key)
            .list();
        return new Page<>(content, page, total);
    }

    @Override
    public boolean revoke(UUID id, Instant at, String by) {
        return client.sql("UPDATE api_key SET revoked_at = ?, revoked_by = ? WHERE id = ? AND revoked_at IS NULL")
            .params(utc(at), by, id)
            .update() == 1;
    }

    @Override
    public void touch(UUID id, Instant at, Instant unlessAfter) {
        client.sql("UPDATE api_key SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at <= ?)")
            .params(utc(at), id, utc(unlessAfter))
            .update();
    }

    @Override
    public boolean isEmpty() {
        return client.sql("SELECT COUNT(*) FROM api_key").query(Long.class).single() == 0;
    }

    private static ApiKey key(ResultSet rs, int row) throws SQLException {
        Set<Scope> scopes = Arrays.stream(rs.getString("scopes").split(" "))
            .map(Scope::of)
            .flatMap(Optional::stream)
            .collect(Collectors.toSet());
        return new ApiKey(rs.getObject("id", UUID.class), rs.getString("name"), rs.getString("tenant"), scopes,
                rs.getString("key_prefix"), requireInstant(rs, "created_at"), rs.getString("created_by"),
                instant(rs, "last_used_at"), instant(rs, "expires_at"), instant(rs, "revoked_at"),
                rs.getString("revoked_by"));
    }

    /**
     * Scopes as one column: their values, space-separated, as in an OAuth2 scope claim.
     */
    private static String scopes(Set<Scope> scopes) {
        return scopes.stream().map(Scope::value).sorted().collect(Collectors.joining(" "));
    }

}
