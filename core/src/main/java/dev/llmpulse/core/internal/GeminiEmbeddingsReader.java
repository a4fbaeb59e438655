package dev.llmpulse.core.internal;

import dev.llmpulse.core.TokenUsage;


/**
 * Gemini embeddings ({@code :embedContent}, {@code :batchEmbedContents}), from the Gemini API or
 * Vertex AI. The answer names no model (it comes from the request path) and usually no usage;
 * input tokens come from {@code usageMetadata.promptTokenCount} when present. The body is judged
 * as any JSON answer: empty, not JSON or cut off.
 */
final class GeminiEmbeddingsReader extends FormatReader {
  private long input;

  @Override
  void onStart(JsonWalker w, String key, boolean isArray) {
    if ("usageMetadata".equals(key) && !isArray && w.keyCount() == 0) {
      usageSeen = false;
      input = 0;
    }
  }

  @Override
  boolean onScalar(JsonWalker w, JsonTokenizer v, String key) {
    if (w.keyCount() != 1 || !"usageMetadata".equals(w.key(0))) return false;
    if ("promptTokenCount".equals(key)) {
      usageSeen = true;
      input = number(v);
    } else if ("totalTokenCount".equals(key)) {
      usageSeen = true;
    } else {
      return false;
    }
    return true;
  }

  @Override
  TokenUsage usage() {
    return usageSeen ? TokenUsage.builder().input(input).build() : TokenUsage.UNKNOWN;
  }
}
