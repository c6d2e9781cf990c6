package dev.creditgate.credits.user;

import java.util.List;

import tools.jackson.databind.JsonNode;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.creditgate.credits.web.Envelope;
import dev.creditgate.credits.web.RequestBodies;

/** Users (admin): create, read with balance/held/available/debt; the JSON side of {@link UserService}. */
@RestController
class UserController {

    private final UserService users;

    UserController(UserService users) {
        this.users = users;
    }

    @PostMapping("/api/users")
    ResponseEntity<Envelope<UserService.UserView>> create(@RequestBody(required = false) byte[] body) {
        JsonNode o = RequestBodies.object(body);
        String email = RequestBodies.text(o, "email", 254);
        String name = RequestBodies.text(o, "name", 200);
        return ResponseEntity.status(HttpStatus.CREATED).body(Envelope.ok(users.create(email, name)));
    }

    @GetMapping("/api/users/{id}")
    Envelope<UserService.UserView> get(@PathVariable String id) {
        return Envelope.ok(users.view(id));
    }

    @GetMapping("/api/users")
    Envelope<List<UserService.UserView>> list(@RequestParam(defaultValue = "1") int page, @RequestParam(defaultValue = "20") int pageSize) {
        return Envelope.ok(users.list(page, pageSize));
    }
}
