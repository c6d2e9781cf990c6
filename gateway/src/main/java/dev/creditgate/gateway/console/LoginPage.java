package dev.creditgate.gateway.console;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/** {@code /console/login} (form with {@code token}, or {@code ?code=} once), {@code POST /console/logout}. */
@Controller
class LoginPage {

    private final ConsoleLogin login;

    LoginPage(ConsoleLogin login) {
        this.login = login;
    }

    @GetMapping("/console/login")
    String form(@RequestParam(name = "code", required = false) String code, Model model,
                HttpServletRequest request, HttpServletResponse response) {
        ConsoleGuard.securityHeaders(response);
        if (code != null) {
            if (login.withCode(code, request, response)) {
                return "redirect:/console";
            }
            model.addAttribute("error", "This login link was used already or has expired: log in with the admin token.");
            response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
        }
        return "console/login";
    }

    @PostMapping("/console/login")
    String submit(@RequestParam(name = "token", required = false) String token, Model model,
                  HttpServletRequest request, HttpServletResponse response) {
        ConsoleGuard.securityHeaders(response);
        switch (login.withToken(token == null ? "" : token.strip(), request, response)) {
            case OK -> {
                return "redirect:/console";
            }
            case WRONG -> {
                model.addAttribute("error", "Wrong admin token.");
                response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
            }
            case THROTTLED -> {
                model.addAttribute("error", "Too many failed logins from this address: try again in "
                        + ConsoleLogin.FAILURE_WINDOW.toMinutes() + " minutes.");
                response.setStatus(429);
            }
        }
        return "console/login";
    }

    /** Behind the guard: needs the session and its CSRF token like every other change. */
    @PostMapping("/console/logout")
    String logout(HttpServletRequest request, HttpServletResponse response) {
        login.logout(request, response);
        return "redirect:/console/login";
    }
}
