package dev.failfast.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.failfast.settings.FailfastProperties;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

class HttpTargetGuardTest {

    private static HttpTargetGuard guard(Map<String, String> settings) {
        var source = new MapConfigurationPropertySource(settings);
        return new HttpTargetGuard(new Binder(source).bindOrCreate("failfast", FailfastProperties.class));
    }

    @ParameterizedTest
    @ValueSource(strings = { "http://169.254.169.254/latest/meta-data/",
            "http://metadata.google.internal/computeMetadata/v1/", "http://METADATA.google.internal/",
            "http://127.0.0.1:8080/", "http://[::1]/", "http://localhost/", "http://[fd00:ec2::254]/",
            "http://100.100.100.200/", "http://0.0.0.0/", "http://[fe80::1]/", })
    void defaultsDenyMetadataLoopbackAndLinkLocal(String url) {
        assertThat(guard(Map.of()).checkHost(URI.create(url))).isPresent();
    }

    @ParameterizedTest
    @ValueSource(strings = { "https://93.184.215.14/", "http://10.1.2.3:8080/x", "https://[2001:db8::1]/" })
    void defaultsAllowOrdinaryAddresses(String url) {
        assertThat(guard(Map.of()).checkHost(URI.create(url))).isEmpty();
    }

    @Test
    void anAllowListAdmitsOnlyItsHostsAndTheirSubdomains() {
        var guard = guard(Map.of("failfast.jobs.http.allowed-hosts", "*.example.com,api.test"));

        assertThat(guard.checkHost(URI.create("https://a.example.com/"))).isEmpty();
        assertThat(guard.checkHost(URI.create("https://api.test/"))).isEmpty();
        assertThat(guard.checkHost(URI.create("https://example.org/")))
            .hasValueSatisfying(why -> assertThat(why).contains("not in the allowed hosts"));
    }

    @Test
    void resolvedAddressesAreCheckedToo() {
        // "localhost" resolves to loopback, which stays denied even when the name itself
        // is allowed.
        var guard = guard(Map.of("failfast.jobs.http.denied-hosts", "metadata"));

        assertThat(guard.checkHost(URI.create("http://localhost/"))).isEmpty();
        assertThat(guard.checkResolved(URI.create("http://localhost/")))
            .hasValueSatisfying(why -> assertThat(why).contains("denied network"));
    }

    @ParameterizedTest
    @CsvSource(textBlock = """
            10.0.0.0/8,      10.255.1.1,  true
            10.0.0.0/8,      11.0.0.1,    false
            100.64.0.0/10,   100.127.0.1, true
            100.64.0.0/10,   100.128.0.1, false
            fe80::/10,       fe80::1,     true
            fe80::/10,       fec0::1,     false
            192.168.1.7,     192.168.1.7, true
            ::/0,            10.0.0.1,    false
            """)
    void cidrContainment(String network, String address, boolean contained) throws UnknownHostException {
        assertThat(Cidr.parse(network).contains(InetAddress.getByName(address))).isEqualTo(contained);
    }

    @Test
    void cidrRefusesHostNames() {
        assertThatThrownBy(() -> Cidr.parse("example.com/8")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Cidr.parse("10.0.0.0/33")).isInstanceOf(IllegalArgumentException.class);
    }

}
