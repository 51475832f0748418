package dev.failfast.store;

import dev.failfast.batch.Batch;
import org.springframework.jdbc.core.RowMapper;

/**
 * A batch row as read, with the two columns a {@link Batch} does not carry: its version
 * and claim cursor.
 */
record LockedRow(Batch batch, long version, int claimCursor) {

    /** Reads {@code SELECT * FROM batch} rows. */
    static RowMapper<LockedRow> mapper(JdbcRows rows) {
        return (rs, row) -> new LockedRow(rows.batch(rs, row), rs.getLong("version"), rs.getInt("claim_cursor"));
    }
}
