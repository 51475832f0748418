package dev.failfast.engine.local;

import static dev.failfast.batch.TestBatches.aBatch;
import static org.assertj.core.api.Assertions.assertThat;

import dev.failfast.batch.Batch;
import dev.failfast.batch.BatchEvent;
import dev.failfast.batch.BatchState;
import dev.failfast.engine.EventPosition;
import dev.failfast.engine.FeedEvent;
import dev.failfast.engine.FeedListener;
import dev.failfast.settings.FailfastProperties;
import dev.failfast.store.InMemoryBatchStore;
import dev.failfast.testing.SettableClock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * A single instance's feed numbers every event, in order, and keeps the last events of
 * followed batches for a while after their last stream left, no more than it may.
 */
class LocalEventFeedTest {

    final SettableClock clock = new SettableClock();

    final List<FeedEvent> delivered = new CopyOnWriteArrayList<>();

    final LocalEventFeed feed = feed(Map.of("failfast.streams.replay-events", "3", "failfast.streams.replay-window",
            "1m", "failfast.streams.max-open", "2", "failfast.streams.max-open-per-tenant", "1"));

    @Test
    void numbersEveryEventInOrderAndHandsItToTheListeners() {
        Batch batch = aBatch().build();

        feed.onEvent(new BatchEvent.Submitted(batch));
        feed.onEvent(new BatchEvent.BatchChanged(batch, BatchState.QUEUED));

        assertThat(delivered).extracting(event -> event.position().major()).containsExactly(1L, 2L);
        assertThat(delivered.getFirst().position().origin()).matches("p[a-z0-9]{8}");
    }

    @Test
    void aFollowedBatchsEventsAfterAPositionAreTold() {
        Batch batch = aBatch().build();
        feed.follow(batch.id());
        EventPosition start = position(0);
        feed.onEvent(new BatchEvent.BatchChanged(batch, BatchState.QUEUED));
        feed.onEvent(new BatchEvent.BatchChanged(batch, BatchState.RUNNING));

        assertThat(feed.since(batch.id(), start).orElseThrow()).containsExactlyElementsOf(delivered);
        assertThat(feed.since(batch.id(), delivered.getFirst().position()).orElseThrow())
            .containsExactly(delivered.getLast());
        assertThat(feed.since(batch.id(), delivered.getLast().position()).orElseThrow()).isEmpty();
    }

    @Test
    void positionsOfAnotherProcessBeforeTheLogOrInTheFutureAreNotTold() {
        Batch before = aBatch().build();
        feed.onEvent(new BatchEvent.BatchChanged(before, BatchState.QUEUED));
        Batch batch = aBatch().build();
        feed.follow(batch.id());
        for (int i = 0; i < 4; i++) {
            feed.onEvent(new BatchEvent.BatchChanged(batch, BatchState.QUEUED));
        }

        assertThat(feed.since(batch.id(), new EventPosition("pother123", 2, 0))).isEmpty();
        assertThat(feed.since(batch.id(), position(0))).as("before the log started").isEmpty();
        assertThat(feed.since(batch.id(), position(1))).as("event 2 was evicted: three are kept").isEmpty();
        assertThat(feed.since(batch.id(), position(2)).orElseThrow()).hasSize(3);
        assertThat(feed.since(batch.id(), position(3)).orElseThrow()).hasSize(2);
        assertThat(feed.since(batch.id(), position(99))).as("not numbered yet").isEmpty();
        assertThat(feed.since(aBatch().build().id(), position(1))).as("not followed").isEmpty();
    }

    @Test
    void aBatchsEventsAreKeptForTheWindowAfterItsLastStreamLeft() {
        Batch batch = aBatch().build();
        feed.follow(batch.id());
        feed.follow(batch.id());
        feed.onEvent(new BatchEvent.BatchChanged(batch, BatchState.QUEUED));
        feed.unfollow(batch.id());
        clock.advance(Duration.ofMinutes(5));
        feed.follow(aBatch().build().id());
        assertThat(feed.since(batch.id(), position(0))).as("one stream still follows it").isPresent();

        feed.unfollow(batch.id());
        clock.advance(Duration.ofSeconds(59));
        feed.follow(aBatch().build().id());
        assertThat(feed.since(batch.id(), position(0))).as("within the window").isPresent();

        clock.advance(Duration.ofSeconds(1));
        feed.follow(aBatch().build().id());
        assertThat(feed.since(batch.id(), position(0))).as("after the window").isEmpty();
    }

    @Test
    void keepsNoMoreLogsOfUnfollowedBatchesThanStreamsMayBeOpen() {
        List<Batch> batches = List.of(aBatch().build(), aBatch().build(), aBatch().build());
        for (Batch batch : batches) {
            feed.follow(batch.id());
            feed.unfollow(batch.id());
            clock.advance(Duration.ofSeconds(1));
        }

        feed.follow(aBatch().build().id());

        assertThat(feed.keptLogs()).isEqualTo(3); // two waiting, one followed
        assertThat(feed.since(batches.getFirst().id(), position(0))).as("the oldest went").isEmpty();
    }

    private EventPosition position(long number) {
        String origin = delivered.isEmpty() ? originOfFeed() : delivered.getFirst().position().origin();
        return new EventPosition(origin, number, 0);
    }

    private String originOfFeed() {
        Batch probe = aBatch().build();
        feed.onEvent(new BatchEvent.Submitted(probe));
        return delivered.removeLast().position().origin();
    }

    private LocalEventFeed feed(Map<String, String> settings) {
        var properties = new Binder(new MapConfigurationPropertySource(settings)).bindOrCreate("failfast",
                FailfastProperties.class);
        var beans = new StaticListableBeanFactory();
        beans.addBean("listener", (FeedListener) delivered::add);
        return new LocalEventFeed(new InMemoryBatchStore(), beans.getBeanProvider(FeedListener.class), properties,
                clock);
    }

}
