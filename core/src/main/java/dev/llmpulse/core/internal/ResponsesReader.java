package dev.llmpulse.core.internal;

import dev.llmpulse.core.InvalidResponseReason;
import dev.llmpulse.core.TokenUsage;


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
  boolean onScalar(JsonWalker w, JsonTokenizer v, String key) {
    int keys = w.keyCount();
    int base = keys > 0 && "response".equals(w.rootKey()) ? 1 : 0;
    String parent = w.key(0);
    switch (key) {
      case "type":
        if (keys == 0) eventType(v);
        else if (keys == 1 && "item".equals(parent)) {
          toolCallItem = is(v, "function_call") || is(v, "custom_tool_call");
        }
        return true;
      case "delta":
        if (keys == 0 && nonEmptyString(v)) docContent = true;
        return true;
      case "model":
        if (keys == base) model(v);
        return true;
      case "status":
        if (keys == base && v.isString()) status = text(v, status == null ? "" : status);
        return true;
      case "reason":
        if (keys == base + 1 && "incomplete_details".equals(parent) && v.isString()) {
          incompleteReason = text(v, "");
        }
        return true;
      case "input_tokens":
        if (keys == base + 1 && "usage".equals(parent)) {
          usageSeen = true;
          input = number(v);
        }
        return true;
      case "output_tokens":
        if (keys == base + 1 && "usage".equals(parent)) {
          usageSeen = true;
          output = number(v);
        }
        return true;
      case "cached_tokens":
        if (keys == base + 2 && "input_tokens_details".equals(parent)) cacheRead = number(v);
        return true;
      case "reasoning_tokens":
        if (keys == base + 2 && "output_tokens_details".equals(parent)) reasoning = number(v);
        return true;
      default:
        return false; // a key this format does not read
    }
  }

  private void eventType(JsonTokenizer v) {
    if (is(v, "response.completed") || is(v, "response.incomplete")) {
      docTerminator = true;
    } else if (is(v, "error") || is(v, "response.failed") || is(v, "response.error")) {
      docError = true;
    } else if (is(v, "response.output_item.added")) {
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
