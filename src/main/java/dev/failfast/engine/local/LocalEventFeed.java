package dev.failfast.engine.local;

import dev.failfast.engine.BatchEventFeed;
import java.util.UUID;

/**
 * A single instance's feed: every change is published to every listener as it is made.
 */
public final class LocalEventFeed implements BatchEventFeed {

    @Override
    public void follow(UUID batchId) {
    }

    @Override
    public void unfollow(UUID batchId) {
    }

}
