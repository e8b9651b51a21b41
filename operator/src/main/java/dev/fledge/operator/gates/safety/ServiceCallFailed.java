package dev.fledge.operator.gates.safety;

/** A model server or judge that did not give a usable answer; the gate turns it into Inconclusive. */
public class ServiceCallFailed extends RuntimeException {
    public ServiceCallFailed(String message) {
        super(message);
    }
}
