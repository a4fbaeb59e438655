package dev.llmpulse.core.internal;

import dev.llmpulse.core.InvalidResponseReason;
import dev.llmpulse.core.TokenUsage;


/**
 * Gemini {@code generateContent} and {@code streamGenerateContent}, from the Gemini API or Vertex
 * AI: one response, an SSE stream of responses ({@code alt=sse}), or one JSON array of them.
 *
 * <ul>
 *   <li>model: {@code modelVersion}
 *   <li>usage ({@code usageMetadata}, cumulative in a stream: the last block counts): input =
 *       {@code promptTokenCount}, output = {@code candidatesTokenCount + thoughtsTokenCount},
 *       reasoning = thoughts, cacheRead = {@code cachedContentTokenCount}
 *   <li>finish reasons: {@code candidates[].finishReason}, once per candidate {@code index}; a
 *       blocked prompt's {@code promptFeedback.blockReason}
 *   <li>content chunks: a chunk with a non-empty {@code parts[].text} or a {@code functionCall}
 *   <li>stream end: a chunk with a finish or block reason
 *   <li>verdict: neither {@code candidates} nor a block reason
 * </ul>
 */
final class GeminiReader extends FormatReader {
  private boolean sawCandidates;
  private boolean blocked;
  private long input, candidates, thoughts, cacheRead;

  @Override
  boolean arrayStreams() {
    return true;
  }

  @Override
  void onStart(JsonWalker w, String key, boolean isArray) {
    int keys = w.keyCount();
    if (key == null) {
      if (!isArray && keys == 1 && "candidates".equals(w.key(0))) beginChoice();
      return;
    }
    switch (key) {
      case "error":
        if (!isArray && keys == 0) docError = true;
        return;
      case "candidates":
        if (isArray && keys == 0) sawCandidates = true;
        return;
      case "usageMetadata":
        if (!isArray && keys == 0) clearUsage();
        return;
      case "functionCall":
        docContent = true; // a function call is output
        return;
      default:
    }
  }

  @Override
  void onEnd(JsonWalker w, boolean isArray) {
    if (!isArray && w.keyCount() == 1 && "candidates".equals(w.key(0))) endChoice();
  }

  private void clearUsage() {
    usageSeen = false;
    input = candidates = thoughts = cacheRead = 0;
  }

  @Override
  boolean onScalar(JsonWalker w, JsonTokenizer v, String key) {
    int keys = w.keyCount();
    String parent = w.key(0);
    switch (key) {
      case "modelVersion":
        if (keys == 0) model(v);
        return true;
      case "index":
        if (keys == 1 && "candidates".equals(parent)) choiceIndex(v);
        return true;
      case "finishReason":
        if (keys == 1 && "candidates".equals(parent) && v.isString()) {
          choiceReason(v);
          docTerminator = true;
        }
        return true;
      case "blockReason":
        if (keys == 1 && "promptFeedback".equals(parent) && v.isString()) {
          blocked = true;
          responseReason(v);
          docTerminator = true;
        }
        return true;
      case "text":
        if (keys == 3 && "parts".equals(parent) && nonEmptyString(v)) docContent = true;
        return true;
      case "promptTokenCount":
        if (isUsage(parent, keys)) input = number(v);
        return true;
      case "candidatesTokenCount":
        if (isUsage(parent, keys)) candidates = number(v);
        return true;
      case "thoughtsTokenCount":
        if (isUsage(parent, keys)) thoughts = number(v);
        return true;
      case "cachedContentTokenCount":
        if (isUsage(parent, keys)) cacheRead = number(v);
        return true;
      case "totalTokenCount":
        isUsage(parent, keys);
        return true;
      default:
        return false; // a key this format does not read
    }
  }

  private boolean isUsage(String parent, int keys) {
    if (keys == 1 && "usageMetadata".equals(parent)) {
      usageSeen = true;
      return true;
    }
    return false;
  }

  @Override
  InvalidResponseReason bodyVerdict() {
    return sawCandidates || blocked ? null : InvalidResponseReason.MISSING_CHOICES;
  }

  @Override
  TokenUsage usage() {
    if (!usageSeen) return TokenUsage.UNKNOWN;
    return TokenUsage.builder()
        .input(input)
        .output(candidates + thoughts)
        .reasoning(thoughts)
        .cacheRead(cacheRead)
        .build();
  }
}
