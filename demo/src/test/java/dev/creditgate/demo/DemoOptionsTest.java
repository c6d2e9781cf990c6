package dev.creditgate.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoOptionsTest {

    @TempDir
    Path dir;

    private DemoOptions parse(Map<String, String> props, Map<String, String> env, String... args) {
        return DemoOptions.parse(args, props::get, env::get);
    }

    @Test
    void commandLineBeatsSystemPropertyBeatsEnvironmentBeatsDefault() {
        DemoOptions o = parse(Map.of("demo.credits-port", "0", "demo.upstream-port", "0"),
                Map.of("DEMO_CREDITS_PORT", "1", "DEMO_CONTROL_PORT", "0", "DEMO_DATA_DIR", dir.toString()),
                "--gateway-port=0", "--upstream-port", "0", "--verbose");
        assertThat(o.gatewayPort()).isZero();
        assertThat(o.creditsPort()).isZero();
        assertThat(o.controlPort()).isZero();
        assertThat(o.dataDir()).isEqualTo(dir.toAbsolutePath().normalize());
        assertThat(o.verbose()).isTrue();
        assertThat(o.host()).isEqualTo("127.0.0.1");
    }

    @Test
    void everyProblemIsNamedInOneMessage() {
        assertThatThrownBy(() -> parse(Map.of(), Map.of("DEMO_DATA_DIR", dir.toString()),
                "--gateway-port=x", "--credits-port=5000", "--upstream-port=5000", "--control-port=-1", "--nope", "stray",
                "--verbose=maybe"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("6 settings to fix")
                .hasMessageContaining("--gateway-port \"x\" is not a port")
                .hasMessageContaining("--upstream-port 5000 is also --credits-port")
                .hasMessageContaining("--control-port \"-1\" is not a port")
                .hasMessageContaining("unknown flag --nope")
                .hasMessageContaining("unexpected argument \"stray\"")
                .hasMessageContaining("--verbose \"maybe\"");
    }

    @Test
    void databasesWithoutTheStateFileAreRefused() throws Exception {
        java.nio.file.Files.writeString(dir.resolve("gateway.mv.db"), "");
        assertThatThrownBy(() -> parse(Map.of(), Map.of(), "--data-dir=" + dir, "--gateway-port=0",
                "--credits-port=0", "--upstream-port=0", "--control-port=0"))
                .hasMessageContaining("holds databases but no demo.json");
    }

    @Test
    void stateIsSavedAndReadBack() {
        DemoState s = DemoState.load(dir);
        String secret = s.secret("gatewayAdminToken", "gw-admin-");
        assertThat(secret).startsWith("gw-admin-").hasSizeGreaterThanOrEqualTo(32);
        s.put("demoKey", "sk-abc");
        DemoState again = DemoState.load(dir);
        assertThat(again.secret("gatewayAdminToken", "other-")).isEqualTo(secret);
        assertThat(again.get("demoKey")).isEqualTo("sk-abc");
    }

    @Test
    void theGatewaySecretKeyIs32RandomBytesKeptAcrossRuns() {
        String key = DemoState.load(dir).secretKey("gatewaySecretKey");
        assertThat(java.util.Base64.getDecoder().decode(key)).hasSize(32);
        assertThat(DemoState.load(dir).secretKey("gatewaySecretKey")).isEqualTo(key);
        assertThat(Secrets.aesKey()).isNotEqualTo(key);
    }
}
