package dev.failfast.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A UTC clock that stands still until a test moves it. Thread-safe: the code under test
 * may read it on its own threads while the test sets or advances it (db-scheduler's
 * {@code SettableClock} is the model).
 */
public final class SettableClock extends Clock {

    /**
     * An arbitrary but fixed start, so tests that print times print the same ones every
     * run.
     */
    public static final Instant DEFAULT_START = Instant.parse("2026-01-01T00:00:00Z");

    private final AtomicReference<Instant> now;

    public SettableClock() {
        this(DEFAULT_START);
    }

    public SettableClock(Instant start) {
        this.now = new AtomicReference<>(start);
    }

    /**
     * Moves the clock to {@code instant}, backwards too: a test may simulate a clock
     * step.
     */
    public void set(Instant instant) {
        now.set(instant);
    }

    /** Moves the clock forward by {@code duration} and returns the new time. */
    public Instant advance(Duration duration) {
        if (duration.isNegative()) {
            throw new IllegalArgumentException("advance by a negative duration (" + duration + "); use set to go back");
        }
        return now.updateAndGet(t -> t.plus(duration));
    }

    @Override
    public Instant instant() {
        return now.get();
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    /**
     * A view in another zone that still follows this clock, as {@code Clock.withZone}
     * promises.
     */
    @Override
    public Clock withZone(ZoneId zone) {
        if (ZoneOffset.UTC.equals(zone)) {
            return this;
        }
        SettableClock source = this;
        return new Clock() {
            @Override
            public Instant instant() {
                return source.instant();
            }

            @Override
            public ZoneId getZone() {
                return zone;
            }

            @Override
            public Clock withZone(ZoneId other) {
                return source.withZone(other);
            }
        };
    }

    @Override
    public String toString() {
        return "SettableClock[" + now.get() + "]";
    }

}
