package dev.fledge.cli;

import dev.fledge.api.ModelRelease;
import dev.fledge.api.status.StageRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** {@code kubectl fledge history NAME}: status.history, oldest first, with when and how long. */
final class HistoryTable {
    private final Style style;

    HistoryTable(Style style) {
        this.style = style;
    }

    String render(ModelRelease mr, Instant now) {
        List<StageRecord> history = mr.getStatus() == null || mr.getStatus().getHistory() == null
                ? List.of()
                : mr.getStatus().getHistory();
        if (history.isEmpty()) {
            return "No history yet for modelrelease \"" + mr.getMetadata().getName() + "\".\n";
        }
        Table t = new Table("VERSION", "STAGE", "RESULT", "ENTERED", "DURATION", "REASON");
        for (StageRecord r : history) {
            Instant entered = r.getEnteredAt() == null ? null : Instant.parse(r.getEnteredAt());
            Instant left = r.getLeftAt() == null ? null : Instant.parse(r.getLeftAt());
            String duration = entered == null
                    ? "-"
                    : Durations.exact(Duration.between(entered, left == null ? now : left))
                            + (left == null ? " so far" : "");
            t.row(
                    dash(r.getVersion()),
                    dash(r.getStage()),
                    result(r),
                    entered == null ? "-" : Durations.age(Duration.between(entered, now)) + " ago",
                    duration,
                    dash(r.getReason()).replaceAll("\\s*\\n\\s*", " "));
        }
        return t.render();
    }

    private String result(StageRecord r) {
        if (r.getResult() == null) {
            return r.getLeftAt() == null ? style.active("Running") : "-";
        }
        return switch (r.getResult()) {
            case "Passed", "Promoted" -> style.good(r.getResult());
            case "Failed", "Aborted" -> style.bad(r.getResult());
            default -> style.warn(r.getResult());
        };
    }

    private static String dash(String s) {
        return s == null || s.isBlank() ? "-" : s;
    }
}
