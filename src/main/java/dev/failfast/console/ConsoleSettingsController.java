package dev.failfast.console;

import dev.failfast.security.ConsoleLogin;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.MediaType;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * What the console's sign-in page offers, read before anyone signs in: the company IdP's
 * button when {@code failfast.console.oidc-registration} is set, none otherwise.
 */
@RestController
class ConsoleSettingsController {

    private final @Nullable ConsoleLogin login;

    ConsoleSettingsController(ObjectProvider<ConsoleLogin> login) {
        this.login = login.getIfAvailable();
    }

    @GetMapping(path = "/console/config.json", produces = MediaType.APPLICATION_JSON_VALUE)
    ConsoleSettings settings(@Nullable CsrfToken csrf) {
        ConsoleLogin idp = login;
        if (idp == null) {
            return new ConsoleSettings(null);
        }
        if (csrf != null) {
            // Loads the deferred token, which writes the XSRF-TOKEN cookie the console
            // sends back as the X-XSRF-TOKEN header of its state-changing calls.
            csrf.getToken();
        }
        return new ConsoleSettings(new IdentityProvider(idp.name(), idp.loginPath()));
    }

    /**
     * @param identityProvider the company IdP to sign in with, if there is one
     */
    record ConsoleSettings(@Nullable IdentityProvider identityProvider) {
    }

    /**
     * @param name as the button names it
     * @param signInPath where the browser goes to sign in
     */
    record IdentityProvider(String name, String signInPath) {
    }

}
