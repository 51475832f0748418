package dev.failfast.engine.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/**
 * A TCP proxy on loopback whose connections can be frozen: bytes stop flowing both ways
 * while the sockets stay open, as across a half-open connection. Connections opened after
 * a freeze flow.
 */
final class FreezingProxy implements AutoCloseable {

    private final ServerSocket server;

    private final int targetPort;

    private final List<Link> links = new CopyOnWriteArrayList<>();

    private static final class Link {

        final CountDownLatch frozen = new CountDownLatch(1);

        volatile boolean isFrozen;

        final Socket client;

        final Socket target;

        Link(Socket client, Socket target) {
            this.client = client;
            this.target = target;
        }

    }

    FreezingProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().name("proxy-accept").start(this::accept);
    }

    int port() {
        return server.getLocalPort();
    }

    /** Every connection open now stops passing bytes, and never passes them again. */
    void freezeOpenConnections() {
        for (Link link : links) {
            link.isFrozen = true;
        }
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket target = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                Link link = new Link(client, target);
                links.add(link);
                Thread.ofPlatform().daemon().start(() -> pump(link, client, target));
                Thread.ofPlatform().daemon().start(() -> pump(link, target, client));
            }
            catch (IOException e) {
                return;
            }
        }
    }

    private static void pump(Link link, Socket from, Socket to) {
        byte[] buffer = new byte[8192];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                if (link.isFrozen) {
                    link.frozen.await(); // holds the bytes forever, the sockets open
                }
                out.write(buffer, 0, n);
                out.flush();
            }
        }
        catch (IOException | InterruptedException e) {
            // the proxy closed, or a peer did
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Link link : links) {
            link.frozen.countDown();
            link.client.close();
            link.target.close();
        }
    }

}
