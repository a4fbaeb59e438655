package dev.llmpulse.core.internal;

import dev.llmpulse.core.InvalidResponseReason;
import dev.llmpulse.core.TokenUsage;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * Cohere's v2 chat ({@code /v2/chat}): one response, or an SSE stream of typed events ending with
 * {@code message-end}. Responses name no model.
 *
 * <ul>
 *   <li>usage ({@code usage} at the root or in {@code message-end}'s {@code delta}): the billable
 *       {@code billed_units.input_tokens} / {@code output_tokens}, or {@code tokens.*} only when no
 *       billed units are given (OpenTelemetry wants billable tokens when both are reported). The
 *       top-level {@code cached_tokens} belongs to {@code tokens}, not to billed input: not used
 *   <li>finish reason: {@code finish_reason} ({@code COMPLETE}, {@code MAX_TOKENS}, {@code
 *       TOOL_CALL}…), at the root or in {@code message-end}'s {@code delta}
 *   <li>content chunks: {@code content-delta} with text or thinking, {@code tool-plan-delta},
 *       {@code tool-call-start} (the tool call opens: output) and {@code tool-call-delta} with
 *       argument text
 *   <li>stream end: {@code message-end}
 *   <li>verdict: no {@code message}
 * </ul>
 */
final class CohereReader extends FormatReader {
  private boolean sawMessage;
  private boolean billedSeen;
  private long billedInput, billedOutput, input, output;

  @Override
  void onStart(JsonWalker w, String key, boolean isArray) {
    if (key == null || isArray) return;
    int keys = w.keyCount();
    if ("message".equals(key) && keys == 0) {
      sawMessage = true;
    } else if ("usage".equals(key) && (keys == 0 || keys == 1 && "delta".equals(w.key(0)))) {
      usageSeen = billedSeen = false;
      billedInput = billedOutput = input = output = 0;
    }
  }

  @Override
  void onScalar(JsonWalker w, JsonParser p, JsonToken t, String key) throws IOException {
    int keys = w.keyCount();
    String parent = w.key(0);
    switch (key) {
      case "type":
        if (keys == 0) {
          if (is(p, t, "message-end")) docTerminator = true;
          else if (is(p, t, "tool-call-start")) docContent = true; // a tool call opens: output
        }
        return;
      case "finish_reason":
        if (keys == 0 || keys == 1 && "delta".equals(parent)) responseReason(p, t);
        return;
      case "text":
      case "thinking":
        if (keys == 3 && "content".equals(parent) && "message".equals(w.key(1))
            && nonEmptyString(p, t)) {
          docContent = true;
        }
        return;
      case "tool_plan":
        if (keys == 2 && "message".equals(parent) && nonEmptyString(p, t)) docContent = true;
        return;
      case "arguments":
        if (keys == 4 && "function".equals(parent) && "tool_calls".equals(w.key(1))
            && nonEmptyString(p, t)) {
          docContent = true;
        }
        return;
      case "input_tokens":
      case "output_tokens":
        usageField(w, p, t, key, keys, parent);
        return;
      default:
    }
  }

  private void usageField(JsonWalker w, JsonParser p, JsonToken t, String key, int keys,
      String parent) throws IOException {
    boolean inUsage = keys == 2 && "usage".equals(w.key(1))
        || keys == 3 && "usage".equals(w.key(1)) && "delta".equals(w.key(2));
    if (!inUsage) return;
    boolean inputField = "input_tokens".equals(key);
    if ("billed_units".equals(parent)) {
      usageSeen = billedSeen = true;
      if (inputField) billedInput = number(p, t);
      else billedOutput = number(p, t);
    } else if ("tokens".equals(parent)) {
      usageSeen = true;
      if (inputField) input = number(p, t);
      else output = number(p, t);
    }
  }

  @Override
  InvalidResponseReason bodyVerdict() {
    return sawMessage ? null : InvalidResponseReason.MISSING_CHOICES;
  }

  @Override
  TokenUsage usage() {
    if (!usageSeen) return TokenUsage.UNKNOWN;
    return billedSeen
        ? TokenUsage.builder().input(billedInput).output(billedOutput).build()
        : TokenUsage.builder().input(input).output(output).build();
  }
}
