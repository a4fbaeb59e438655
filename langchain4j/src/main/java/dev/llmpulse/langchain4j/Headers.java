package dev.llmpulse.langchain4j;

import java.util.List;
import java.util.Map;

/** Header lookup in LangChain4j's header maps, whose name case differs between versions. */
final class Headers {
  private Headers() {}

  /** The first value of header {@code name} (any case), or null. */
  static String first(Map<String, List<String>> headers, String name) {
    if (headers == null) return null;
    List<String> values = headers.get(name);
    if (values == null) {
      for (Map.Entry<String, List<String>> e : headers.entrySet()) {
        if (name.equalsIgnoreCase(e.getKey())) {
          values = e.getValue();
          break;
        }
      }
    }
    return values == null || values.isEmpty() ? null : values.get(0);
  }
}
