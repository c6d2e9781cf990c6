package dev.creditgate.testkit.browser;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;

class BrowserTest {

    @Test
    void drivesARealHeadlessChromium(@TempDir Path dir) throws Exception {
        Browser.unavailable().ifPresent(reason -> System.out.println("BrowserTest skipped: " + reason));
        Assumptions.assumeTrue(Browser.unavailable().isEmpty(), () -> Browser.unavailable().orElse(""));
        String page = "<form onsubmit=\"document.getElementById('out').textContent='hello '+this.token.value;return false\">"
                + "<input name=token><button id=go>go</button></form><p id=out></p>";
        try (Browser browser = Browser.start()) {
            browser.open("data:text/html;base64," + Base64.getEncoder().encodeToString(page.getBytes()))
                    .fill("token", "world")
                    .click(By.id("go"))
                    .awaitText("hello world");
            Path shot = browser.size(Browser.PHONE).screenshot(dir.resolve("shot.png"));
            byte[] png = Files.readAllBytes(shot);
            assertThat(png).hasSizeGreaterThan(100);
            assertThat(new String(png, 1, 3)).isEqualTo("PNG");
        }
    }
}
