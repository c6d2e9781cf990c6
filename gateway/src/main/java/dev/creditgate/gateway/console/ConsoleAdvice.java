package dev.creditgate.gateway.console;

import dev.creditgate.contract.console.ConsoleSessions;
import dev.creditgate.gateway.web.GatewayException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.ui.Model;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;

/**
 * For console pages only: the session's CSRF token in every model (forms put it in {@code _csrf}), and refused
 * input rendered as a page with the API's message (the management API would answer JSON).
 */
@ControllerAdvice(basePackageClasses = ConsoleAdvice.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
class ConsoleAdvice {

    @ModelAttribute("csrf")
    String csrf(HttpServletRequest request) {
        Object session = request.getAttribute(ConsoleGuard.SESSION);
        return session instanceof ConsoleSessions.Session<?> s ? s.csrf() : "";
    }

    @ModelAttribute("utc")
    Utc utc() {
        return Utc.INSTANCE;
    }

    @ExceptionHandler(GatewayException.class)
    String refused(GatewayException e, Model model, HttpServletResponse response) {
        response.setStatus(e.error().status());
        model.addAttribute("error", e.getMessage());
        return "console/error";
    }

    @ExceptionHandler({MethodArgumentTypeMismatchException.class, MissingServletRequestParameterException.class})
    String badParameter(Exception e, Model model, HttpServletResponse response) {
        response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
        model.addAttribute("error", e instanceof MethodArgumentTypeMismatchException m
                ? m.getName() + ": not a valid value" : e.getMessage());
        return "console/error";
    }
}
