package dev.failfast.job;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.springframework.stereotype.Component;

/** The JVM's resolver (the operating system's, with the JVM's cache). */
@Component
class SystemHostResolver implements HostResolver {

    @Override
    public List<InetAddress> resolve(String name) throws UnknownHostException {
        return List.of(InetAddress.getAllByName(name));
    }

}
