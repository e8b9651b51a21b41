package dev.fledge.operator.validation;

import java.util.List;

/** An operator-wide list setting as the policies read it: entries stripped, empty ones dropped. */
final class SettingList {
    private SettingList() {}

    static List<String> entries(List<String> raw) {
        return raw.stream().map(String::strip).filter(e -> !e.isEmpty()).toList();
    }
}
