package dev.creditgate.credits.console;

import java.util.UUID;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.ui.Model;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;

import dev.creditgate.contract.console.ConsoleSessions;
import dev.creditgate.credits.web.ApiException;

/**
 * For the console's controllers (before the API's JSON {@code ApiErrorAdvice}): the session's CSRF token and
 * principal in every model, and failures rendered as an HTML page with the API's status and message.
 */
@ControllerAdvice(basePackageClasses = ConsoleAdvice.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
class ConsoleAdvice {

    private static final Logger log = LoggerFactory.getLogger(ConsoleAdvice.class);

    @ModelAttribute
    void session(HttpServletRequest request, Model model) {
        ConsoleSessions.Session<Principal> s = ConsoleAccess.session(request);
        if (s != null) {
            model.addAttribute("csrf", s.csrf());
            model.addAttribute("operator", s.principal() instanceof Principal.Operator);
        }
    }

    @ExceptionHandler(ApiException.class)
    String api(ApiException e, HttpServletRequest request, HttpServletResponse response, Model model) {
        session(request, model);
        return page(response, model, e.error().status().value(), e.getMessage());
    }

    @ExceptionHandler({MethodArgumentTypeMismatchException.class, MissingServletRequestParameterException.class})
    String badParameter(Exception e, HttpServletRequest request, HttpServletResponse response, Model model) {
        session(request, model);
        return page(response, model, 400, e instanceof MethodArgumentTypeMismatchException m
                ? m.getName() + ": invalid value" : "a parameter is missing");
    }

    @ExceptionHandler(Exception.class)
    String unexpected(Exception e, HttpServletResponse response, Model model) {
        String ref = UUID.randomUUID().toString();
        log.error("console: unexpected failure (ref {})", ref, e);
        return page(response, model, 500, "internal error (ref " + ref + ")");
    }

    private static String page(HttpServletResponse response, Model model, int status, String message) {
        response.setStatus(status);
        model.addAttribute("status", status);
        model.addAttribute("error", message);
        return "console/error";
    }
}
