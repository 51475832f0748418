package dev.failfast.worker;

/**
 * Hears what a worker must be told at once; the worker's event stream implements it.
 * Called on the thread that cancels (often under a batch's lock): must only hand the
 * notice on, never block.
 */
public interface WorkerListener {

    void cancelled(CancelNotice notice);

    /** The session is gone (lease expired or stopped): nothing more comes. */
    void lost();

}
