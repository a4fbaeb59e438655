package dev.llmpulse.core.internal;

import dev.llmpulse.core.InvalidResponseReason;
import dev.llmpulse.core.TokenUsage;


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
  boolean onScalar(JsonWalker w, JsonTokenizer v, String key) {
    int keys = w.keyCount();
    String parent = w.key(0);
    switch (key) {
      case "type":
        if (keys == 0) {
          if (is(v, "message-end")) docTerminator = true;
          else if (is(v, "tool-call-start")) docContent = true; // a tool call opens: output
        }
        return true;
      case "finish_reason":
        if (keys == 0 || keys == 1 && "delta".equals(parent)) responseReason(v);
        return true;
      case "text":
      case "thinking":
        if (keys == 3 && "content".equals(parent) && "message".equals(w.key(1))
            && nonEmptyString(v)) {
          docContent = true;
        }
        return true;
      case "tool_plan":
        if (keys == 2 && "message".equals(parent) && nonEmptyString(v)) docContent = true;
        return true;
      case "arguments":
        if (keys == 4 && "function".equals(parent) && "tool_calls".equals(w.key(1))
            && nonEmptyString(v)) {
          docContent = true;
        }
        return true;
      case "input_tokens":
      case "output_tokens":
        usageField(w, v, key, keys, parent);
        return true;
      default:
        return false; // a key this format does not read
    }
  }

  private void usageField(JsonWalker w, JsonTokenizer v, String key, int keys,
      String parent) {
    boolean inUsage = keys == 2 && "usage".equals(w.key(1))
        || keys == 3 && "usage".equals(w.key(1)) && "delta".equals(w.key(2));
    if (!inUsage) return;
    boolean inputField = "input_tokens".equals(key);
    if ("billed_units".equals(parent)) {
      usageSeen = billedSeen = true;
      if (inputField) billedInput = number(v);
      else billedOutput = number(v);
    } else if ("tokens".equals(parent)) {
      usageSeen = true;
      if (inputField) input = number(v);
      else output = number(v);
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
