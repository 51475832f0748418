/**
 * The cluster mode ({@code failfast.cluster.enabled}, PostgreSQL only): every replica on
 * the database runs every batch, and the database is the source of truth.
 *
 * <p>
 * {@link dev.failfast.engine.cluster.ClusterRunner} composes one replica:
 * {@code ClaimLoop} claims jobs, {@code HeldAttempts} runs and stops them,
 * {@code OutcomeWriter} writes their outcomes in {@code BatchTransaction}s under the
 * batch row's lock, {@code CauseListener} hears causes recorded elsewhere, and
 * {@code ClusterPoll} runs one small task per periodic duty ({@code CatchUpCauses},
 * {@code SettleLostReplicas}, {@code PutBackLostClaims}, {@code
 * FireDeadlines}, {@code RefreshTotals}).
 * {@link dev.failfast.engine.cluster.ClusterEventRelay} feeds the event streams from the
 * database.
 */
@NullMarked
package dev.failfast.engine.cluster;

import org.jspecify.annotations.NullMarked;
