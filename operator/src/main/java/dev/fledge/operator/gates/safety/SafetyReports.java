package dev.fledge.operator.gates.safety;

import dev.fledge.api.ModelRelease;

/** Where the evidence of a suite run is written for people to read. */
public interface SafetyReports {
    /** The name of the ConfigMap a release's report goes to. */
    static String configMapName(ModelRelease release) {
        return release.getMetadata().getName() + "-safety-report";
    }

    /**
     * Writes the report; returns where it went. Throws {@link ReportNotWritten} with the reason when it could not
     * be written (the verdict does not depend on it).
     */
    String publish(ModelRelease release, SafetyReport report);

    /** For callers without a cluster (tests of the gate against real model servers): reports go nowhere. */
    static SafetyReports none() {
        return (release, report) -> {
            throw new ReportNotWritten("no report destination configured");
        };
    }

    /** The report could not be written. */
    final class ReportNotWritten extends RuntimeException {
        public ReportNotWritten(String message) {
            super(message);
        }
    }
}
