package dev.llmpulse.core.internal;

import dev.llmpulse.core.InvalidResponseReason;
import dev.llmpulse.core.TokenUsage;


/**
 * Ollama's native API: {@code /api/chat}, {@code /api/generate} and {@code /api/embed}. A stream
 * is NDJSON ({@code application/x-ndjson}): one JSON object per line, the last one with {@code
 * "done": true}.
 *
 * <ul>
 *   <li>model: root {@code model}
 *   <li>usage (on the last line): input = {@code prompt_eval_count}, output = {@code eval_count}
 *   <li>finish reason: {@code done_reason}
 *   <li>content chunks: a line with a non-empty {@code message.content} or {@code
 *       message.thinking} (chat), {@code response} or {@code thinking} (generate), or a {@code
 *       message.tool_calls} element
 *   <li>stream end: a line with {@code "done": true}; a line with {@code error} is an error event
 *   <li>verdict: no {@code message} (chat) or {@code response} (generate)
 * </ul>
 */
final class OllamaReader extends FormatReader {
  private static final int CHAT = 0;
  private static final int GENERATE = 1;
  private static final int EMBED = 2;

  private final int api;
  private boolean sawAnswer;
  private long input, output;

  private OllamaReader(int api) {
    this.api = api;
  }

  static OllamaReader chat() {
    return new OllamaReader(CHAT);
  }

  static OllamaReader generate() {
    return new OllamaReader(GENERATE);
  }

  static OllamaReader embed() {
    return new OllamaReader(EMBED);
  }

  @Override
  boolean ndjsonStreams() {
    return api != EMBED;
  }

  @Override
  void onStart(JsonWalker w, String key, boolean isArray) {
    int keys = w.keyCount();
    if (key == null) {
      if (!isArray && keys == 2 && "tool_calls".equals(w.key(0)) && "message".equals(w.key(1))) {
        docContent = true; // a tool call is output
      }
      return;
    }
    if (keys != 0) return;
    if ("message".equals(key) && !isArray && api == CHAT) sawAnswer = true;
    else if ("error".equals(key)) docError = true;
  }

  @Override
  boolean onScalar(JsonWalker w, JsonTokenizer v, String key) {
    int keys = w.keyCount();
    if (keys == 1) {
      if (api == CHAT && "message".equals(w.key(0))
          && ("content".equals(key) || "thinking".equals(key)) && nonEmptyString(v)) {
        docContent = true;
      }
      return true;
    }
    if (keys != 0) return false; // nothing deeper is read
    switch (key) {
      case "model":
        model(v);
        return true;
      case "response":
        if (api == GENERATE && v.isString()) {
          sawAnswer = true;
          if (v.textLength() > 0) docContent = true;
        }
        return true;
      case "thinking":
        if (api == GENERATE && nonEmptyString(v)) docContent = true;
        return true;
      case "done":
        if (v.valueType() == JsonTokenizer.TRUE) docTerminator = true;
        return true;
      case "done_reason":
        responseReason(v);
        return true;
      case "prompt_eval_count":
        usageSeen = true;
        input = number(v);
        return true;
      case "eval_count":
        usageSeen = true;
        output = number(v);
        return true;
      case "error":
        if (nonEmptyString(v)) docError = true; // {"error": "..."} mid-stream
        return true;
      default:
        return false; // a key this format does not read
    }
  }

  @Override
  InvalidResponseReason bodyVerdict() {
    return api == EMBED || sawAnswer ? null : InvalidResponseReason.MISSING_CHOICES;
  }

  @Override
  TokenUsage usage() {
    return usageSeen ? TokenUsage.builder().input(input).output(output).build()
        : TokenUsage.UNKNOWN;
  }
}
