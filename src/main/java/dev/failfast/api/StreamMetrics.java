package dev.failfast.api;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.stereotype.Component;

/**
 * Open event streams against their cap, and the streams refused with 429: what an
 * operator watches to size {@code failfast.streams.*} before clients see refusals.
 */
@Component
class StreamMetrics implements MeterBinder {

    private final StreamSlots slots;

    StreamMetrics(StreamSlots slots) {
        this.slots = slots;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("failfast.streams.open", slots, StreamSlots::open)
            .description("Event streams open on this instance, over all tenants")
            .register(registry);
        Gauge.builder("failfast.streams.open.limit", slots, StreamSlots::maxOpen)
            .description("failfast.streams.max-open: beyond it streams are refused with 429")
            .register(registry);
        for (StreamLimit limit : StreamLimit.values()) {
            // One series per limit, a fixed set: no tenant tag, whose values clients
            // choose.
            FunctionCounter.builder("failfast.streams.rejections", slots, s -> s.refused(limit))
                .description("Event streams refused with 429, by the cap they would have gone over")
                .tag("limit", limit.wireName())
                .register(registry);
        }
    }

}
