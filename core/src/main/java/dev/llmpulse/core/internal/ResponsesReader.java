package dev.llmpulse.core.internal;

import dev.llmpulse.core.InvalidResponseReason;
import dev.llmpulse.core.TokenUsage;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * OpenAI's Responses API: a response object, or a stream of typed events each carrying the
 * response object ({@code response.created}, {@code response.completed}…) or a piece of output.
 *
 * <ul>
 *   <li>model, {@code status}, {@code incomplete_details.reason} and {@code usage} of the
 *       response object, at the root or under an event's {@code response}
 *   <li>usage: {@code input_tokens}, {@code output_tokens}, {@code
 *       input_tokens_details.cached_tokens}, {@code output_tokens_details.reasoning_tokens}
 *   <li>finish reason: {@code completed}, or an incomplete response's reason ({@code
 *       max_output_tokens}, {@code content_filter})
 *   <li>content chunks: every event with a non-empty {@code delta} (output text, refusal,
 *       function-call arguments, reasoning summaries, audio), and the {@code
 *       response.output_item.added} event that opens a function call
 *   <li>stream end: {@code response.completed} or {@code response.incomplete}; {@code
 *       response.failed} and {@code error} events are error events
 *   <li>verdict: a response object whose status is {@code failed} or {@code cancelled}
 * </ul>
 */
final class ResponsesReader extends FormatReader {
  private String status; // the response object's last status
  private String incompleteReason;
  private long input, output, cacheRead, reasoning;

  // Per event.
  private boolean itemAdded; // a response.output_item.added event
  private boolean toolCallItem; // whose item is a function call

  @Override
  void beginFormatDocument() {
    itemAdded = false;
    toolCallItem = false;
  }

  @Override
  void onStart(JsonWalker w, String key, boolean isArray) {
    if ("error".equals(key) && !isArray && w.keyCount() == 0) docError = true;
  }

  @Override
  void onScalar(JsonWalker w, JsonParser p, JsonToken t, String key) throws IOException {
    int keys = w.keyCount();
    int base = keys > 0 && "response".equals(w.rootKey()) ? 1 : 0;
    String parent = w.key(0);
    switch (key) {
      case "type":
        if (keys == 0) eventType(p, t);
        else if (keys == 1 && "item".equals(parent)) {
          toolCallItem = is(p, t, "function_call") || is(p, t, "custom_tool_call");
        }
        return;
      case "delta":
        if (keys == 0 && nonEmptyString(p, t)) docContent = true;
        return;
      case "model":
        if (keys == base) model(p, t);
        return;
      case "status":
        if (keys == base && t == JsonToken.VALUE_STRING) status = text(p, t, status == null ? "" : status);
        return;
      case "reason":
        if (keys == base + 1 && "incomplete_details".equals(parent) && t == JsonToken.VALUE_STRING) {
          incompleteReason = p.getText();
        }
        return;
      case "input_tokens":
        if (keys == base + 1 && "usage".equals(parent)) {
          usageSeen = true;
          input = number(p, t);
        }
        return;
      case "output_tokens":
        if (keys == base + 1 && "usage".equals(parent)) {
          usageSeen = true;
          output = number(p, t);
        }
        return;
      case "cached_tokens":
        if (keys == base + 2 && "input_tokens_details".equals(parent)) cacheRead = number(p, t);
        return;
      case "reasoning_tokens":
        if (keys == base + 2 && "output_tokens_details".equals(parent)) reasoning = number(p, t);
        return;
      default:
    }
  }

  private void eventType(JsonParser p, JsonToken t) throws IOException {
    if (is(p, t, "response.completed") || is(p, t, "response.incomplete")) {
      docTerminator = true;
    } else if (is(p, t, "error") || is(p, t, "response.failed") || is(p, t, "response.error")) {
      docError = true;
    } else if (is(p, t, "response.output_item.added")) {
      itemAdded = true;
    }
  }

  @Override
  void endFormatDocument() {
    if (itemAdded && toolCallItem) docContent = true; // a function call starts: output
  }

  @Override
  InvalidResponseReason bodyVerdict() {
    return "failed".equals(status) || "cancelled".equals(status)
        ? InvalidResponseReason.RESPONSE_FAILED : null;
  }

  @Override
  String statusReason() {
    if ("incomplete".equals(status)) {
      return incompleteReason != null && !incompleteReason.isEmpty() ? incompleteReason : "incomplete";
    }
    return "completed".equals(status) ? "completed" : null;
  }

  @Override
  TokenUsage usage() {
    if (!usageSeen) return TokenUsage.UNKNOWN;
    return TokenUsage.builder()
        .input(input)
        .output(output)
        .cacheRead(Math.min(cacheRead, input))
        .reasoning(Math.min(reasoning, output))
        .build();
  }
}
