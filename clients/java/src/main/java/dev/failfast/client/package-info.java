/**
 * The Java reference client of Failfast, on the JDK's {@link java.net.http.HttpClient} and
 * Jackson databind alone: {@link dev.failfast.client.FailfastWorker} runs the jobs of
 * {@code remote:} types the service hands out (the worker protocol of
 * {@code /api/v1/workers}), and {@link dev.failfast.client.FailfastClient} submits batches
 * and waits for them ({@code /api/v1/batches}).
 */
package dev.failfast.client;
