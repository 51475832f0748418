package dev.failfast.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.failfast.store.Page;
import dev.failfast.store.PageRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DuplicateKeyException;

/**
 * What every {@link ApiKeyStore} must do, run against each implementation (in memory, H2,
 * PostgreSQL) by a subclass that supplies a fresh, empty store.
 */
abstract class ApiKeyStoreContract {

    /** Microseconds: what both databases keep of an instant. */
    static final Instant T0 = Instant.parse("2026-11-25T10:00:00.123456Z");

    /** The store under test, empty at the start of each test. */
    abstract ApiKeyStore store();

    @Test
    void aKeyIsFoundByTheHashOfItsSecretAndByItsId() {
        ApiKey key = new ApiKey(UUID.randomUUID(), "ci-deploy", "team-a",
                EnumSet.of(Scope.BATCHES_READ, Scope.BATCHES_WRITE, Scope.METRICS_READ), "ffk_abcd", T0, "key:admin",
                null, T0.plus(Duration.ofDays(30)), null, null);

        store().insert(key, "hash-of-ci-deploy");

        assertThat(store().findByHash("hash-of-ci-deploy")).contains(key);
        assertThat(store().find(key.id())).contains(key);
        assertThat(store().findByHash("hash-of-something-else")).isEmpty();
        assertThat(store().find(UUID.randomUUID())).isEmpty();
    }

    @Test
    void aKeyWithoutAnExpiryOrAUseIsReadBackWithout() {
        ApiKey key = key("team-a", T0, Scope.ADMIN);

        store().insert(key, "hash");

        assertThat(store().find(key.id())).contains(key);
    }

    @Test
    void aSecondKeyWithTheSameHashIsRefused() {
        ApiKey first = key("team-a", T0);
        ApiKey second = key("team-b", T0.plusSeconds(1));
        store().insert(first, "same-hash");

        assertThatThrownBy(() -> store().insert(second, "same-hash")).isInstanceOf(DuplicateKeyException.class);

        assertThat(store().findByHash("same-hash")).contains(first);
        assertThat(store().find(second.id())).isEmpty();
    }

    @Test
    void keysAreListedNewestFirstPerTenantOrAllAndInPages() {
        ApiKey a1 = insert(key("team-a", T0));
        ApiKey b1 = insert(key("team-b", T0.plusSeconds(1)));
        ApiKey a2 = insert(key("team-a", T0.plusSeconds(2)));
        ApiKey a3 = insert(key("team-a", T0.plusSeconds(3)));

        Page<ApiKey> first = store().list("team-a", new PageRequest(0, 2));
        assertThat(first.content()).containsExactly(a3, a2);
        assertThat(first.totalElements()).isEqualTo(3);
        assertThat(first.totalPages()).isEqualTo(2);
        assertThat(store().list("team-a", new PageRequest(1, 2)).content()).containsExactly(a1);
        assertThat(store().list("team-a", new PageRequest(2, 2)).content()).isEmpty();

        Page<ApiKey> all = store().list(null, new PageRequest(0, 10));
        assertThat(all.content()).containsExactly(a3, a2, b1, a1);
        assertThat(all.totalElements()).isEqualTo(4);
        assertThat(store().list(null, new PageRequest(1, 3)).content()).containsExactly(a1);

        Page<ApiKey> none = store().list("team-z", new PageRequest(0, 10));
        assertThat(none.content()).isEmpty();
        assertThat(none.totalElements()).isZero();
    }

    @Test
    void aRevocationIsRecordedOnceAndRevokingAgainChangesNothing() {
        ApiKey key = insert(key("team-a", T0));
        Instant revokedAt = T0.plusSeconds(60);

        assertThat(store().revoke(key.id(), revokedAt, "key:first")).isTrue();
        assertThat(store().revoke(key.id(), revokedAt.plusSeconds(60), "key:second"))
            .as("already revoked: this call changed nothing")
            .isFalse();

        ApiKey revoked = store().findByHash(hashOf(key)).orElseThrow();
        assertThat(revoked.revokedAt()).isEqualTo(revokedAt);
        assertThat(revoked.revokedBy()).isEqualTo("key:first");
        assertThat(revoked.isActiveAt(revokedAt)).isFalse();
        assertThat(store().find(key.id())).contains(revoked);
        assertThat(store().revoke(UUID.randomUUID(), revokedAt, "key:first")).isFalse();
    }

    @Test
    void aUseIsRecordedOnlyWhenTheLastRecordedOneIsNotNewer() {
        ApiKey key = insert(key("team-a", T0));
        Instant t1 = T0.plusSeconds(600);
        Duration minute = Duration.ofMinutes(1);

        store().touch(key.id(), t1, t1.minus(minute));
        assertThat(lastUsed(key)).as("never used before").isEqualTo(t1);

        store().touch(key.id(), t1.plusSeconds(30), t1.plusSeconds(30).minus(minute));
        assertThat(lastUsed(key)).as("the last use is newer than a minute ago").isEqualTo(t1);

        store().touch(key.id(), t1.plus(minute), t1);
        assertThat(lastUsed(key)).as("the last use is exactly a minute old").isEqualTo(t1.plus(minute));

        store().touch(key.id(), t1.plus(Duration.ofHours(1)), t1.plus(Duration.ofHours(1)).minus(minute));
        assertThat(lastUsed(key)).isEqualTo(t1.plus(Duration.ofHours(1)));

        store().touch(UUID.randomUUID(), t1, t1.minus(minute));
        assertThat(store().list(null, new PageRequest(0, 10)).content()).hasSize(1);
    }

    @Test
    void aStoreIsEmptyUntilAKeyIsInsertedAndStaysNonEmptyWhenItIsRevoked() {
        assertThat(store().isEmpty()).isTrue();

        ApiKey key = insert(key("team-a", T0));
        assertThat(store().isEmpty()).isFalse();

        store().revoke(key.id(), T0.plusSeconds(1), "key:admin");
        assertThat(store().isEmpty()).isFalse();
    }

    private ApiKey insert(ApiKey key) {
        store().insert(key, hashOf(key));
        return key;
    }

    /** A stand-in for the hash of a key's secret, one per key. */
    private static String hashOf(ApiKey key) {
        return "hash-" + key.id();
    }

    private @Nullable Instant lastUsed(ApiKey key) {
        return store().find(key.id()).orElseThrow().lastUsedAt();
    }

    static ApiKey key(String tenant, Instant createdAt, Scope... scopes) {
        var all = EnumSet.of(Scope.BATCHES_READ, scopes);
        return new ApiKey(UUID.randomUUID(), "key-" + tenant, tenant, all, "ffk_" + tenant.substring(0, 4), createdAt,
                "key:admin", null, null, null, null);
    }

}
