package dev.failfast.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.TransactionException;

/** The instance lease on PostgreSQL (skipped when no server is reachable, unless CI=true). */
class PostgresInstanceLeaseTest extends InstanceLeaseContract {

    @Override
    HikariDataSource freshDatabase() {
        return TestDatabases.postgres("failfast_instance_lease");
    }

    @Test
    void aRenewalWhoseCommitFailsDoesNotExtendTheLease() {
        JdbcInstanceLease holder = instance(TTL, this::mustNotWait);
        holder.acquire();
        // A deferred constraint trigger lets the renewal's UPDATE run and fails its commit.
        var database = new JdbcTemplate(dataSource);
        database.execute("""
                CREATE FUNCTION refuse_commit() RETURNS trigger LANGUAGE plpgsql
                AS $$ BEGIN RAISE EXCEPTION 'commit refused'; END $$""");
        database.execute("""
                CREATE CONSTRAINT TRIGGER refuse_commit AFTER UPDATE ON instance_lease
                DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse_commit()""");
        clock.advance(TTL.dividedBy(2));

        assertThatThrownBy(holder::renew).isInstanceOf(TransactionException.class);
        assertThatCode(holder::renewQuietly).as("a failed commit is retried like any failed renewal")
                .doesNotThrowAnyException();
        assertThat(row().expiresAt()).isEqualTo(T0.plus(TTL));

        // The lease in the database ends at T0 + ttl: the holder must stop a renewal interval before.
        clock.advance(TTL.dividedBy(6));
        holder.checkHeld();
        assertThat(lost).containsExactly(holder.owner());
    }
}
