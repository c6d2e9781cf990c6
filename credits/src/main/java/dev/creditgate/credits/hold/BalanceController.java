package dev.creditgate.credits.hold;

import java.time.Clock;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

import dev.creditgate.contract.BalanceAnswer;
import dev.creditgate.contract.CreditApi;
import dev.creditgate.credits.apikey.KeyLookup;
import dev.creditgate.credits.ledger.Accounts;
import dev.creditgate.credits.ledger.Money;
import dev.creditgate.credits.option.OptionService;

/**
 * The seed's {@code GET /api/credits/balance/:keyId} with its exact answers (401 comes from the auth filter):
 * 404 {@code {"success":false,"message":"API Key not found"}} for unknown and not-active keys, 200 with the
 * available credit, 500 {@code {"success":false,"message":..}} on any failure.
 */
@RestController
class BalanceController {

    private static final Logger log = LoggerFactory.getLogger(BalanceController.class);

    private final KeyLookup keys;
    private final Accounts accounts;
    private final OptionService options;
    private final Clock clock;

    BalanceController(KeyLookup keys, Accounts accounts, OptionService options, Clock clock) {
        this.keys = keys;
        this.accounts = accounts;
        this.options = options;
        this.clock = clock;
    }

    @GetMapping(CreditApi.BALANCE_PATH + "{keyId}")
    ResponseEntity<BalanceAnswer> balance(@PathVariable String keyId) {
        var key = keys.byId(keyId).filter(KeyLookup.KeyRef::active);
        if (key.isEmpty()) {
            return ResponseEntity.status(HttpStatus.NOT_FOUND).body(BalanceAnswer.failure("API Key not found"));
        }
        long now = clock.millis();
        var rate = options.creditsPerUsd();
        Accounts.State s = accounts.state(key.get().userId(), now).orElseThrow();
        return ResponseEntity.ok(new BalanceAnswer(true, Money.toCredits(s.available()), s.userId(), keyId,
                key.get().remoteKeyId(), Times.iso(now), Money.toCredits(s.held()), Money.plain(rate), null));
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<BalanceAnswer> failure(Exception e) {
        String ref = UUID.randomUUID().toString();
        log.error("balance query failed (ref {})", ref, e);
        return ResponseEntity.status(HttpStatus.INTERNAL_SERVER_ERROR)
                .body(BalanceAnswer.failure("Internal server error (ref " + ref + ")"));
    }
}
