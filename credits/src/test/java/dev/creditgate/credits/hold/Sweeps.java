package dev.creditgate.credits.hold;

import dev.creditgate.credits.CreditsApp;

/** Runs one sweep of an app's {@link HoldSweeper} (holds and leases), for tests outside this package. */
public final class Sweeps {

    private Sweeps() {
    }

    /** How many holds and leases the sweep made final. */
    public static int sweep(CreditsApp app) {
        return app.context.getBean(HoldSweeper.class).sweep();
    }
}
