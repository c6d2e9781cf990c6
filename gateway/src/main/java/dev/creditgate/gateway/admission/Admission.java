package dev.creditgate.gateway.admission;

/** Estimates and reserves the cost of one request before it is relayed. See the package documentation. */
public interface Admission {

    /**
     * @return the admitted request, to be settled and always closed by the caller
     * @throws AdmissionRefusedException when the request must not be relayed (e.g. 403 insufficient_user_quota)
     */
    Admitted admit(AdmissionRequest request);
}
