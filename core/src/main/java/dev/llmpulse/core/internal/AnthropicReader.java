package dev.llmpulse.core.internal;

import dev.llmpulse.core.InvalidResponseReason;
import dev.llmpulse.core.TokenUsage;


/**
 * Anthropic Messages, from Anthropic or from Vertex AI ({@code :rawPredict}, {@code
 * :streamRawPredict}): a message object, or a stream of typed events.
 *
 * <ul>
 *   <li>model and usage of the message, at the root or under {@code message_start}'s {@code
 *       message}; {@code message_delta} repeats {@code usage} cumulatively (often only {@code
 *       output_tokens}), so each field keeps its last value
 *   <li>usage: input = {@code input_tokens + cache_read_input_tokens +
 *       cache_creation_input_tokens}; {@code cache_creation.ephemeral_1h_input_tokens}
 *   <li>finish reason: the last {@code stop_reason} (root or {@code message_delta}'s {@code delta})
 *   <li>content chunks: {@code content_block_delta} with text, thinking or tool input ({@code
 *       input_json_delta}), and the {@code content_block_start} that opens a {@code tool_use}
 *       block (its first input delta is often empty)
 *   <li>stream end: {@code message_stop}; {@code error} events are error events
 *   <li>verdict: no {@code content} array
 * </ul>
 */
final class AnthropicReader extends FormatReader {
  private boolean sawContent;
  private long input, output, cacheRead, cacheCreation, cacheCreation1h;

  // Per event.
  private boolean blockStart; // a content_block_start event
  private boolean toolUseBlock; // whose block is a tool_use

  @Override
  void beginFormatDocument() {
    blockStart = false;
    toolUseBlock = false;
  }

  @Override
  void onStart(JsonWalker w, String key, boolean isArray) {
    if (key == null || w.keyCount() != 0) return;
    if ("content".equals(key) && isArray) sawContent = true;
    else if ("error".equals(key) && !isArray) docError = true;
  }

  @Override
  boolean onScalar(JsonWalker w, JsonTokenizer v, String key) {
    int keys = w.keyCount();
    int base = keys > 0 && "message".equals(w.rootKey()) ? 1 : 0;
    String parent = w.key(0);
    switch (key) {
      case "type":
        if (keys == 0) eventType(v);
        else if (keys == 1 && "content_block".equals(parent)) {
          toolUseBlock = is(v, "tool_use") || is(v, "server_tool_use");
        }
        return true;
      case "model":
        if (keys == base) model(v);
        return true;
      case "stop_reason":
        if (keys == base || keys == 1 && "delta".equals(parent)) responseReason(v);
        return true;
      case "text":
      case "partial_json":
      case "thinking":
        if (keys == 1 && "delta".equals(parent) && nonEmptyString(v)) docContent = true;
        return true;
      case "input_tokens":
        if (isUsage(w, keys, base)) input = number(v);
        return true;
      case "output_tokens":
        if (isUsage(w, keys, base)) output = number(v);
        return true;
      case "cache_read_input_tokens":
        if (isUsage(w, keys, base)) cacheRead = number(v);
        return true;
      case "cache_creation_input_tokens":
        if (isUsage(w, keys, base)) cacheCreation = number(v);
        return true;
      case "ephemeral_1h_input_tokens":
        if (keys == base + 2 && "cache_creation".equals(parent) && "usage".equals(w.key(1))) {
          cacheCreation1h = number(v);
        }
        return true;
      default:
        return false; // a key this format does not read
    }
  }

  private void eventType(JsonTokenizer v) {
    if (is(v, "message_stop")) docTerminator = true;
    else if (is(v, "error")) docError = true;
    else if (is(v, "content_block_start")) blockStart = true;
  }

  private boolean isUsage(JsonWalker w, int keys, int base) {
    if (keys == base + 1 && "usage".equals(w.key(0))) {
      usageSeen = true;
      return true;
    }
    return false;
  }

  @Override
  void endFormatDocument() {
    if (blockStart && toolUseBlock) docContent = true; // a tool call starts: output
  }

  @Override
  InvalidResponseReason bodyVerdict() {
    return sawContent ? null : InvalidResponseReason.MISSING_CHOICES;
  }

  @Override
  TokenUsage usage() {
    if (!usageSeen) return TokenUsage.UNKNOWN;
    return TokenUsage.builder()
        .input(input + cacheRead + cacheCreation)
        .output(output)
        .cacheRead(cacheRead)
        .cacheCreation(cacheCreation)
        .cacheCreation1h(cacheCreation1h)
        .build();
  }
}
