package dev.fledge.e2e.docs;

import java.util.Set;
import java.util.regex.Pattern;

/** A series name as Prometheus shows it, against the names the code registers (suffixes added by the clients). */
final class MetricName {
    private static final Pattern SUFFIX = Pattern.compile("(_seconds)?(_total|_bucket|_count|_sum|_max|_created)?");

    private MetricName() {}

    static boolean isExported(String series, Set<String> registered) {
        return registered.stream()
                .anyMatch(name -> series.startsWith(name)
                        && SUFFIX.matcher(series.substring(name.length())).matches());
    }
}
