package dev.failfast.store;

/** Where a notification's delivery stands. */
public enum NotificationStatus {

    /** Not delivered yet: a delivery is due at its next attempt time. */
    PENDING,
    /** A receiver answered 2xx. */
    DELIVERED,
    /** Retries ran out without a 2xx; kept until retention, and can be re-sent. */
    FAILED

}
