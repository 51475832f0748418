package dev.failfast.store;

import java.util.UUID;

/** The notification store contract on {@link InMemoryNotificationStore}. */
class InMemoryNotificationStoreTest extends NotificationStoreContract {

    private final InMemoryNotificationStore store = new InMemoryNotificationStore(PAYLOADS, UUID::randomUUID, RETRY_FOR,
            clock);

    @Override
    NotificationStore store() {
        return store;
    }

}
