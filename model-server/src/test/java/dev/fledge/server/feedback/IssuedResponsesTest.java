package dev.fledge.server.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.server.metrics.Audience;
import org.junit.jupiter.api.Test;

class IssuedResponsesTest {

    @Test
    void memoryIsBoundedAndTheOldestIdsExpire() {
        IssuedResponses issued = new IssuedResponses(100);
        String first = issued.issue("cmpl", Audience.CLOSED);
        String last = null;
        for (int i = 0; i < 1000; i++) {
            last = issued.issue("cmpl", Audience.PUBLIC);
        }
        assertThat(issued.size()).isEqualTo(100);
        assertThat(issued.rate(first)).isEmpty();
        assertThat(issued.rate(last)).contains(Audience.PUBLIC);
    }

    @Test
    void ratingRemembersTheAudienceOfIssue() {
        IssuedResponses issued = new IssuedResponses(10);
        assertThat(issued.rate(issued.issue("cmpl", Audience.INTERNAL))).contains(Audience.INTERNAL);
    }
}
