package dev.failfast.engine;

import java.util.UUID;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

/** A single instance's feed: every change is published to every listener as it is made. */
@Component
@ConditionalOnProperty(name = "failfast.cluster.enabled", havingValue = "false", matchIfMissing = true)
class LocalEventFeed implements BatchEventFeed {

    @Override
    public void follow(UUID batchId) {}

    @Override
    public void unfollow(UUID batchId) {}
}
