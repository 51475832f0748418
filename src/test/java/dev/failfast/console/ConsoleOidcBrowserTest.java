package dev.failfast.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.failfast.ApiClient;
import dev.failfast.FailfastServerTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The console's sign-in with the company IdP in headless Chromium: the button, the round
 * trip through a real OIDC provider on loopback, a submission with the session (so with
 * the CSRF token the page sends), and the sign-out.
 */
@FailfastServerTest
class ConsoleOidcBrowserTest {

    static final TestIdentityProvider idp = new TestIdentityProvider(
            Map.of("sub", "bob", "tenant", "team-sso", "scp", List.of("batches:read", "batches:write")));

    @DynamicPropertySource
    static void signInWithTheIdp(DynamicPropertyRegistry registry) {
        idp.register(registry);
    }

    @AfterAll
    static void stopTheIdp() {
        idp.close();
    }

    @LocalServerPort
    int port;

    @Test
    void signsInWithTheIdpSubmitsWithTheSessionAndSignsOut() {
        try (ConsoleBrowser browser = ConsoleBrowser.start(port)) {
            browser.open("");
            WebElement button = browser.find("#sign-in-idp");
            assertThat(button.getText()).isEqualTo("Sign in with Acme SSO");
            button.click();

            assertThat(browser.awaitText("#caller", "team-sso").getText()).isEqualTo("team-sso · jwt:bob");
            assertThat(browser.driver.getCurrentUrl()).doesNotContain("code=").doesNotContain("state=");
            assertThat(browser.script("return sessionStorage.length")).as("no key kept").isEqualTo(0L);

            browser.open("#/submit");
            WebElement editor = browser.find("#batch-json");
            browser.script("arguments[0].value = arguments[1]", editor,
                    ApiClient.json(Map.of("name", "from-chromium", "jobs", List.of(ApiClient.sleep("a", "PT0S")))));
            browser.find("#submit-batch").click();
            browser.await().until(d -> d.getCurrentUrl().matches(".*#/batches/[0-9a-f-]{36}$"));
            browser.awaitText("#batch-state", "SUCCEEDED");

            browser.find("#sign-out").click();
            browser.find("#sign-in-idp");
            browser.open("");
            browser.find("#sign-in-idp");
            assertThat(browser.driver.findElements(By.id("sign-out"))).as("the session ended").isEmpty();
            assertThat(browser.policyViolations()).as("Content Security Policy refusals").isEmpty();
        }
    }

}
