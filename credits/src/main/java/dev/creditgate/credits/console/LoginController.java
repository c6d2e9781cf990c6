package dev.creditgate.credits.console;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

import dev.creditgate.contract.console.ConsoleSessions;

/** {@code /console/login} (form with {@code token}, or a one-time {@code ?code=}) and {@code POST /console/logout}. */
@Controller
class LoginController {

    private final ConsoleAccess access;

    LoginController(ConsoleAccess access) {
        this.access = access;
    }

    @GetMapping("/console/login")
    String form(@RequestParam(required = false) String code, @RequestParam(required = false) String ended,
                HttpServletRequest request, HttpServletResponse response, Model model) {
        if (code != null) {
            var session = access.redeem(code);
            if (session.isPresent()) {
                return enter(session.get(), request, response);
            }
            response.setStatus(401);
            model.addAttribute("error", "This login link was used already or has expired.");
        } else if (ended != null) {
            model.addAttribute("error", "Your session ended (the key is no longer active).");
        }
        return "console/login";
    }

    @PostMapping("/console/login")
    String login(@RequestParam(required = false) String token, HttpServletRequest request, HttpServletResponse response,
                 Model model) {
        return switch (access.login(token, request.getRemoteAddr())) {
            case ConsoleAccess.Login.Ok ok -> enter(ok.session(), request, response);
            case ConsoleAccess.Login.Refused r -> {
                response.setStatus(401);
                model.addAttribute("error", "Not a valid admin token or active API key.");
                yield "console/login";
            }
            case ConsoleAccess.Login.Throttled t -> {
                response.setStatus(429);
                response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(t.retryAfterSeconds()));
                model.addAttribute("error", "Too many failed logins from your address; try again in "
                        + t.retryAfterSeconds() + " s.");
                yield "console/login";
            }
        };
    }

    @PostMapping("/console/logout")
    String logout(HttpServletRequest request, HttpServletResponse response) {
        access.logout(request);
        response.addHeader(HttpHeaders.SET_COOKIE, ConsoleAccess.sessionCookie(request, ""));
        return "redirect:/console/login";
    }

    private String enter(ConsoleSessions.Session<Principal> session, HttpServletRequest request,
                         HttpServletResponse response) {
        access.logout(request); // a session this browser had before ends
        response.addHeader(HttpHeaders.SET_COOKIE, ConsoleAccess.sessionCookie(request, session.id()));
        return session.principal() instanceof Principal.Holder ? "redirect:/console/me" : "redirect:/console";
    }
}
