package dev.failfast.job;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * An IPv4 or IPv6 network in CIDR notation, e.g. {@code 169.254.0.0/16} or
 * {@code fe80::/10}.
 */
// Its equals and hashCode below compare the array's contents.
@SuppressWarnings("ArrayRecordComponent")
record Cidr(byte[] network, int prefixLength) {

    static Cidr parse(String cidr) {
        int slash = cidr.indexOf('/');
        String address = slash < 0 ? cidr : cidr.substring(0, slash);
        if (!address.matches("[0-9a-fA-F:.]+")) {
            // InetAddress would otherwise resolve a host name through DNS.
            throw new IllegalArgumentException("Not an IP network: " + cidr);
        }
        byte[] bytes;
        try {
            bytes = InetAddress.getByName(address).getAddress();
        }
        catch (UnknownHostException e) {
            throw new IllegalArgumentException("Not an IP network: " + cidr, e);
        }
        int prefix = slash < 0 ? bytes.length * 8 : Integer.parseInt(cidr.substring(slash + 1));
        if (prefix < 0 || prefix > bytes.length * 8) {
            throw new IllegalArgumentException("Bad prefix length in " + cidr);
        }
        return new Cidr(bytes, prefix);
    }

    /** Whether this network is {@code address} alone (a /32 or /128 of it). */
    boolean isSingle(InetAddress address) {
        return prefixLength == network.length * 8 && contains(address);
    }

    boolean contains(InetAddress address) {
        byte[] candidate = address.getAddress();
        if (candidate.length != network.length) {
            return false;
        }
        int fullBytes = prefixLength / 8;
        if (!Arrays.equals(candidate, 0, fullBytes, network, 0, fullBytes)) {
            return false;
        }
        int remainingBits = prefixLength % 8;
        if (remainingBits == 0) {
            return true;
        }
        int mask = 0xFF << (8 - remainingBits);
        return (candidate[fullBytes] & mask) == (network[fullBytes] & mask);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Cidr(byte[] otherNetwork, int otherPrefix) && prefixLength == otherPrefix
                && Arrays.equals(network, otherNetwork);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(network) + prefixLength;
    }

    @Override
    public String toString() {
        try {
            return InetAddress.getByAddress(network).getHostAddress() + "/" + prefixLength;
        }
        catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
