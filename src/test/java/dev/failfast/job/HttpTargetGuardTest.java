package dev.failfast.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.failfast.batch.JobError;
import dev.failfast.settings.FailfastProperties;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * The SSRF policy judged on URLs and addresses, with no connection made: the defaults
 * refuse every non-global network, metadata endpoint, embedded IPv4 form, numeric host
 * trick and port but 80 and 443; operators open networks and ports globally or per
 * tenant, and denied networks always win.
 */
class HttpTargetGuardTest {

    private static final String TENANT = "default";

    private static final HostResolver NO_DNS = name -> {
        throw new UnknownHostException(name);
    };

    private static FailfastProperties properties(Map<String, String> settings) {
        var source = new MapConfigurationPropertySource(settings);
        return new Binder(source).bindOrCreate("failfast", FailfastProperties.class);
    }

    private static HttpTargetGuard guard(Map<String, String> settings) {
        return new HttpTargetGuard(properties(settings), NO_DNS, _ -> false);
    }

    private static HttpTargetGuard guard(HostResolver resolver) {
        return new HttpTargetGuard(properties(Map.of()), resolver, _ -> false);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            http://10.1.2.3/                          | not a globally routable
            http://172.16.0.1/                        | not a globally routable
            http://172.31.255.255/                    | not a globally routable
            http://192.168.1.1/                       | not a globally routable
            http://100.64.0.1/                        | not a globally routable
            http://100.127.255.254/                   | not a globally routable
            http://127.0.0.1/                         | not a globally routable
            http://[::1]/                             | not a globally routable
            http://[fd00::1]/                         | not a globally routable
            http://[fc00::1]/                         | not a globally routable
            http://[fd00:ec2::23]/                    | denied network fd00:ec2:0:0:0:0:0:0/32
            http://[fd00:ec2::254]/                   | denied network
            http://169.254.169.254/latest/meta-data/  | denied network 169.254.0.0/16
            http://168.63.129.16/                     | denied network 168.63.129.16/32
            http://100.100.100.200/                   | denied network
            http://192.0.0.192/                       | denied network
            http://0.0.0.0/                           | denied network 0.0.0.0/8
            http://[::]/                              | denied network
            http://[fe80::1]/                         | denied network fe80:0:0:0:0:0:0:0/10
            http://224.0.0.1/                         | denied network
            http://[ff02::1]/                         | denied network
            http://255.255.255.255/                   | not a globally routable
            http://198.18.0.1/                        | not a globally routable
            http://192.0.2.1/                         | not a globally routable
            http://240.0.0.1/                         | not a globally routable
            http://[::ffff:169.254.169.254]/          | denied network 169.254.0.0/16
            http://[::ffff:10.0.0.1]/                 | not a globally routable
            http://[::ffff:7f00:1]/                   | not a globally routable
            http://[0:0:0:0:0:ffff:a9fe:a9fe]/        | denied network 169.254.0.0/16
            http://[::127.0.0.1]/                     | (IPv4 127.0.0.1) is not a globally routable
            http://[::169.254.169.254]/               | (IPv4 169.254.169.254) is in denied network
            http://[64:ff9b::a9fe:a9fe]/              | (IPv4 169.254.169.254) is in denied network
            http://[64:ff9b::7f00:1]/                 | (IPv4 127.0.0.1) is not a globally routable
            http://[64:ff9b:1::a00:1]/                | 64:ff9b:1:0:0:0:a00:1 is not a globally routable
            http://[64:ff9b:1::808:808]/              | 64:ff9b:1:0:0:0:808:808 is not a globally routable
            http://[64:ff9b:1:808:808::]/             | is not a globally routable
            http://[5f00::1]/                         | 5f00:0:0:0:0:0:0:1 is not a globally routable
            http://[5f00:ffff::8.8.8.8]/              | is not a globally routable
            http://[2002:a9fe:a9fe::1]/               | (IPv4 169.254.169.254) is in denied network
            http://[2002:7f00:1::1]/                  | (IPv4 127.0.0.1) is not a globally routable
            http://[2001::1]/                         | not a globally routable
            http://[2001:db8::1]/                     | not a globally routable
            http://[fe80::1%25eth0]/                  | IPv6 zone
            http://2130706433/                        | numeric host
            http://0177.0.0.1/                        | numeric host
            http://0x7f.1/                            | must name a host
            http://0x7f000001/                        | numeric host
            http://127.1/                             | must name a host
            http://127.000.000.001/                   | numeric host
            http://127.0.0.1./                        | must name a host
            http://localhost/                         | host localhost is denied
            http://LocalHost./                        | host localhost is denied
            http://metadata.google.internal/          | host metadata.google.internal is denied
            http://METADATA.google.internal./x        | host metadata.google.internal is denied
            https://93.184.215.14:22/                 | port 22 is not allowed
            http://8.8.8.8:8080/                      | port 8080 is not allowed
            http://example.com:6379/                  | port 6379 is not allowed
            """)
    void theDefaultsRefuse(String url, String why) {
        assertThat(guard(Map.of()).checkUrl(URI.create(url), TENANT))
            .hasValueSatisfying(reason -> assertThat(reason).contains(why));
    }

    @ParameterizedTest
    @ValueSource(strings = { "https://93.184.215.14/", "http://8.8.8.8/x?y=1", "https://8.8.8.8:443/",
            "https://[2606:4700:4700::1111]/", "http://[64:ff9b::808:808]/", "http://[2002:808:808::1]/",
            "https://example.com/", "https://Example.COM./path" })
    void theDefaultsAllowGlobalAddressesOnPorts80And443(String url) {
        assertThat(guard(Map.of()).checkUrl(URI.create(url), TENANT)).isEmpty();
    }

    @Test
    void anAllowedNetworkOpensWhatIsNotGlobalButDeniedNetworksStillWin() {
        var guard = guard(Map.of("failfast.jobs.http.allowed-networks", "10.20.0.0/16, 169.254.0.0/16, fd00::/8"));

        assertThat(guard.checkUrl(URI.create("http://10.20.3.4/"), TENANT)).isEmpty();
        assertThat(guard.checkUrl(URI.create("http://[::ffff:10.20.3.4]/"), TENANT)).isEmpty();
        assertThat(guard.checkUrl(URI.create("http://10.21.0.1/"), TENANT)).isPresent();
        assertThat(guard.checkUrl(URI.create("http://169.254.169.254/"), TENANT))
            .hasValueSatisfying(why -> assertThat(why).contains("denied network"));
        assertThat(guard.checkUrl(URI.create("http://[fd00:ec2::254]/"), TENANT))
            .hasValueSatisfying(why -> assertThat(why).contains("denied network"));
        assertThat(guard.checkUrl(URI.create("http://[fd12::1]/"), TENANT)).isEmpty();
    }

    @Test
    void allowedPortsTakeSinglePortsAndRanges() {
        var guard = guard(Map.of("failfast.jobs.http.allowed-ports", "443, 8000-8999"));

        assertThat(guard.checkUrl(URI.create("https://8.8.8.8/"), TENANT)).isEmpty();
        assertThat(guard.checkUrl(URI.create("http://8.8.8.8:8443/"), TENANT)).isEmpty();
        assertThat(guard.checkUrl(URI.create("http://8.8.8.8/"), TENANT))
            .hasValueSatisfying(why -> assertThat(why).contains("port 80 is not allowed"));
        assertThat(guard.checkUrl(URI.create("http://8.8.8.8:9000/"), TENANT)).isPresent();
    }

    @Test
    void aTenantsNetworksAndPortsAddToTheGlobalOnesForThatTenantOnly() {
        var guard = guard(Map.of("failfast.jobs.http.allowed-networks", "10.1.0.0/16",
                "failfast.jobs.http.tenants.team-a.allowed-networks", "10.20.0.0/16",
                "failfast.jobs.http.tenants.team-a.allowed-ports", "8080"));
        URI internal = URI.create("http://10.20.0.5:8080/");

        assertThat(guard.checkUrl(internal, "team-a")).isEmpty();
        assertThat(guard.checkUrl(URI.create("http://10.1.0.5/"), "team-a")).isEmpty();
        assertThat(guard.checkUrl(internal, "team-b")).hasValueSatisfying(why -> assertThat(why).contains("port 8080"));
        assertThat(guard.checkUrl(URI.create("http://10.20.0.5/"), "team-b"))
            .hasValueSatisfying(why -> assertThat(why).contains("not a globally routable"));
    }

    @Test
    void theNat64LocalUseBlockIsOpenedOnlyByAnAllowedNetwork() {
        var guard = guard(Map.of("failfast.jobs.http.allowed-networks", "64:ff9b:1::/48"));

        assertThat(guard.checkUrl(URI.create("http://[64:ff9b:1:a00:1::]/"), TENANT)).isEmpty();
        assertThat(guard.checkUrl(URI.create("http://[64:ff9b:2::a00:1]/"), TENANT)).isPresent();
    }

    @Test
    void thisHostsOwnAddressesAreDeniedEvenInsideABroadAllowedNetwork() {
        InetAddress own = InetAddress.ofLiteral("10.1.2.3");
        LocalAddresses local = address -> address.equals(own) || address.isLoopbackAddress();
        var closed = new HttpTargetGuard(properties(Map.of()), NO_DNS, local);
        var broad = new HttpTargetGuard(properties(Map.of("failfast.jobs.http.allowed-networks", "10.0.0.0/8")), NO_DNS,
                local);
        var exact = new HttpTargetGuard(
                properties(Map.of("failfast.jobs.http.allowed-networks", "10.0.0.0/8, 10.1.2.3/32")), NO_DNS, local);
        var loopback = new HttpTargetGuard(properties(Map.of("failfast.jobs.http.allowed-networks", "127.0.0.0/8")),
                NO_DNS, local);

        assertThat(closed.checkAddress(own, TENANT))
            .hasValueSatisfying(why -> assertThat(why).contains("this service's own addresses"));
        assertThat(broad.checkAddress(own, TENANT))
            .hasValueSatisfying(why -> assertThat(why).contains("this service's own addresses"));
        assertThat(broad.checkAddress(InetAddress.ofLiteral("::ffff:10.1.2.3"), TENANT))
            .hasValueSatisfying(why -> assertThat(why).contains("this service's own addresses"));
        assertThat(broad.checkAddress(InetAddress.ofLiteral("10.1.2.4"), TENANT)).isEmpty();
        assertThat(exact.checkAddress(own, TENANT)).isEmpty();
        assertThat(loopback.checkAddress(InetAddress.ofLiteral("127.0.0.1"), TENANT)).isEmpty();
        assertThat(closed.checkAddress(InetAddress.ofLiteral("127.0.0.1"), TENANT)).isPresent();
    }

    @Test
    void theRealInterfaceAddressesAreKnown() throws UnknownHostException {
        assertThat(new InterfaceAddresses().isLocal(InetAddress.ofLiteral("127.0.0.1"))).isTrue();
        assertThat(new InterfaceAddresses().isLocal(InetAddress.ofLiteral("93.184.215.14"))).isFalse();
    }

    @Test
    void anAllowListAdmitsOnlyItsHostsAndTheirSubdomains() {
        var guard = guard(Map.of("failfast.jobs.http.allowed-hosts", "*.example.com,api.test"));

        assertThat(guard.checkUrl(URI.create("https://a.example.com/"), TENANT)).isEmpty();
        assertThat(guard.checkUrl(URI.create("https://api.test/"), TENANT)).isEmpty();
        assertThat(guard.checkUrl(URI.create("https://example.org/"), TENANT))
            .hasValueSatisfying(why -> assertThat(why).contains("not in the allowed hosts"));
    }

    @Test
    void everyResolvedAddressIsJudgedAndOneDeniedAddressRefusesTheHost() throws Exception {
        var guard = guard(name -> List.of(InetAddress.ofLiteral("93.184.215.14"), InetAddress.ofLiteral("10.0.0.1")));

        assertThatThrownBy(() -> guard.resolve(URI.create("https://mixed.test/"), TENANT))
            .isInstanceOfSatisfying(JobFailedException.class, e -> {
                assertThat(e.errorType()).isEqualTo(JobError.TARGET_DENIED);
                assertThat(e.getMessage()).contains("10.0.0.1").contains("mixed.test");
            });
    }

    @Test
    void aMappedOrNat64AnswerFromDnsIsJudgedAsItsIpv4Address() throws Exception {
        byte[] mapped = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 169, (byte) 254, (byte) 169,
                (byte) 254 };
        // Made as a resolver may make it: an Inet6Address that the IPv4 rules alone would
        // not match.
        InetAddress mappedAnswer = Inet6Address.getByAddress("mapped.test", mapped, -1);
        assertThat(mappedAnswer).isInstanceOf(Inet6Address.class);

        assertThatThrownBy(
                () -> guard(name -> List.of(mappedAnswer)).resolve(URI.create("http://mapped.test/"), TENANT))
            .hasMessageContaining("169.254.169.254")
            .hasMessageContaining("denied network");
        assertThatThrownBy(() -> guard(name -> List.of(InetAddress.ofLiteral("64:ff9b::a9fe:a9fe")))
            .resolve(URI.create("http://nat64.test/"), TENANT)).hasMessageContaining("denied network");
    }

    @Test
    void aHostThatDoesNotResolveIsRefused() {
        assertThatThrownBy(() -> guard(NO_DNS).resolve(URI.create("https://nowhere.invalid/"), TENANT))
            .isInstanceOfSatisfying(JobFailedException.class, e -> {
                assertThat(e.errorType()).isEqualTo(JobError.TARGET_DENIED);
                assertThat(e.getMessage()).contains("does not resolve");
            });
        assertThatThrownBy(() -> guard(name -> List.of()).resolve(URI.create("https://empty.test/"), TENANT))
            .hasMessageContaining("does not resolve");
    }

    @Test
    void resolvingLooksTheNameUpOnceAndReturnsTheCheckedAddresses() throws Exception {
        List<String> lookups = new ArrayList<>();
        var guard = guard(name -> {
            lookups.add(name);
            return List.of(InetAddress.ofLiteral("8.8.8.8"), InetAddress.ofLiteral("2001:4860:4860::8888"));
        });

        assertThat(guard.resolve(URI.create("https://Dns.Test./q"), TENANT)).extracting(InetAddress::getHostAddress)
            .containsExactly("8.8.8.8", "2001:4860:4860:0:0:0:0:8888");
        assertThat(lookups).containsExactly("dns.test");
    }

    @Test
    void anIpLiteralIsNotLookedUp() throws Exception {
        assertThat(guard(NO_DNS).resolve(URI.create("https://8.8.8.8/"), TENANT)).hasSize(1);
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
        assertThat(Cidr.parse(network).contains(InetAddress.ofLiteral(address))).isEqualTo(contained);
    }

    @Test
    void badSettingsAreRefused() {
        assertThatThrownBy(() -> Cidr.parse("example.com/8")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Cidr.parse("10.0.0.0/33")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PortRange.parse("http")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PortRange.parse("9000-8000")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PortRange.parse("0")).isInstanceOf(IllegalArgumentException.class);
        Map<String, String> badTenant = new HashMap<>();
        badTenant.put("failfast.jobs.http.tenants.a.allowed-networks", "not-a-network");
        assertThatThrownBy(() -> guard(badTenant)).isInstanceOf(IllegalArgumentException.class);
    }

}
