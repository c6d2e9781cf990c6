package dev.creditgate.gateway.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class IpAllowListTest {

    @Test
    void emptyAllowsEveryone() {
        assertThat(IpAllowList.parse("").allows("203.0.113.9")).isTrue();
        assertThat(IpAllowList.parse(null).allows("::1")).isTrue();
    }

    @Test
    void addressesAndBlocksSeparatedByNewlinesCommasOrSpaces() {
        IpAllowList list = IpAllowList.parse("127.0.0.1\n10.0.0.0/8, 192.168.1.0/25 2001:db8::/32");
        assertThat(list.allows("127.0.0.1")).isTrue();
        assertThat(list.allows("127.0.0.2")).isFalse();
        assertThat(list.allows("10.200.3.4")).isTrue();
        assertThat(list.allows("11.0.0.1")).isFalse();
        assertThat(list.allows("192.168.1.127")).isTrue();
        assertThat(list.allows("192.168.1.128")).isFalse();
        assertThat(list.allows("2001:db8:1::5")).isTrue();
        assertThat(list.allows("2001:db9::5")).isFalse();
        assertThat(list.allows("::ffff:10.1.1.1")).isTrue();
        assertThat(list.allows("not-an-ip")).isFalse();
        assertThat(list.allows("example.com")).isFalse();
    }

    @Test
    void garbageIsRefusedWithTheEntryNamed() {
        assertThatThrownBy(() -> IpAllowList.parse("127.0.0.1, localhost"))
                .hasMessageContaining("\"localhost\"");
        assertThatThrownBy(() -> IpAllowList.parse("10.0.0.0/33")).hasMessageContaining("0..32");
    }
}
