package dev.llmpulse.core.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Canonical strings for the JSON field names LLM APIs send: the names the readers look for and
 * the other frequent ones of the recorded answers. A known name costs a hash over its bytes and no
 * allocation; any other name becomes a new string, so what the readers see never depends on this
 * list, only what it costs. The table is built once and never changes.
 */
final class FieldNames {
  private static final String[] KNOWN = {
    // What the readers read (OpenAI, Responses, Anthropic, Gemini, Ollama, Cohere).
    "arguments", "billed_units", "blockReason", "cache_creation", "cache_creation_input_tokens",
    "cache_read_input_tokens", "cachedContentTokenCount", "cached_tokens", "candidates",
    "candidatesTokenCount", "choices", "completion_tokens", "completion_tokens_details", "content",
    "content_block", "delta", "done", "done_reason", "error", "eval_count", "finishReason",
    "finish_reason", "function", "functionCall", "function_call", "id", "incomplete_details",
    "index", "input_tokens", "input_tokens_details", "item", "message", "model", "modelVersion",
    "name", "output_tokens", "output_tokens_details", "partial_json", "parts", "promptFeedback",
    "promptTokenCount", "prompt_cache_hit_tokens", "prompt_eval_count", "prompt_tokens",
    "prompt_tokens_details", "reason", "reasoning", "reasoning_content", "reasoning_tokens",
    "refusal", "response", "status", "stop_reason", "text", "thinking", "thoughtsTokenCount",
    "tokens", "tool_calls", "tool_plan", "totalTokenCount", "total_tokens", "type", "usage",
    "usageMetadata", "x_groq", "stream", "messages",
    // Frequent in the recorded answers, read by nobody.
    "filtered", "logprobs", "object", "created", "system_fingerprint", "severity", "obfuscation",
    "sequence_number", "output_index", "item_id", "summary_index", "detected", "channel",
    "created_at", "content_filter_results", "hate", "self_harm", "sexual", "violence", "role",
    "protected_material_code", "protected_material_text", "content_index", "summary",
    "service_tier", "annotations", "background", "instructions", "max_output_tokens",
    "max_tool_calls", "output", "parallel_tool_calls", "previous_response_id", "prompt_cache_key",
    "effort", "safety_identifier", "store", "temperature", "format", "tool_choice", "tools",
    "top_logprobs", "top_p", "truncation", "user", "metadata", "completed_at", "frequency_penalty",
    "presence_penalty", "verbosity", "part", "image_tokens", "modality", "tokenCount",
    "prompt_cache_retention", "text_tokens", "audio_tokens", "context", "provider",
    "native_finish_reason", "promptTokensDetails", "responseId", "description", "stop_sequence",
    "moderation", "mode", "encrypted_content", "blocked", "source_type", "stop_details",
    "ephemeral_5m_input_tokens", "ephemeral_1h_input_tokens", "inference_geo", "strict",
    "embedding", "embeddings", "cache_write_tokens", "serviceTier", "queue_time", "prompt_time",
    "completion_time", "total_time", "accepted_prediction_tokens", "rejected_prediction_tokens",
    "candidatesTokensDetails", "values", "details", "seed", "prompt_cache_miss_tokens",
    "total_duration", "load_duration", "prompt_eval_duration", "eval_duration", "trafficType",
    "createTime", "code", "call_id", "citations", "args", "thoughtSignature", "input", "data",
    "avgLogprobs", "finishMessage", "request_id", "param", "cost", "citationMetadata",
    "safetyRatings", "category", "probability", "x_request_id", "max_tokens", "stop",
  };

  private static final int SLOT_BITS = 10;
  private static final int SLOTS = 1 << SLOT_BITS; // well over twice KNOWN
  private static final int MAX_KNOWN_LENGTH = 64;
  private static final long[] FIRST = new long[SLOTS]; // a name's first eight bytes
  private static final long[][] REST = new long[SLOTS][]; // and the others, eight by eight
  private static final int[] LENGTHS = new int[SLOTS];
  private static final String[] NAMES = new String[SLOTS];
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  static {
    for (String name : KNOWN) {
      byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
      if (bytes.length == 0 || bytes.length > MAX_KNOWN_LENGTH) throw new AssertionError(name);
      long first = word(bytes, 0, Math.min(8, bytes.length));
      int slot = slot(first, bytes.length);
      while (NAMES[slot] != null && !name.equals(NAMES[slot])) slot = (slot + 1) & (SLOTS - 1);
      long[] rest = new long[(bytes.length - 1) >>> 3];
      for (int k = 0; k < rest.length; k++) {
        int at = (k + 1) << 3;
        rest[k] = word(bytes, at, Math.min(8, bytes.length - at));
      }
      FIRST[slot] = first;
      REST[slot] = rest;
      LENGTHS[slot] = bytes.length;
      NAMES[slot] = name;
    }
  }

  private FieldNames() {}

  /** The name held by {@code length} ASCII bytes of {@code bytes} from {@code offset}. */
  static String ascii(byte[] bytes, int offset, int length) {
    if (length > 0 && length <= MAX_KNOWN_LENGTH) {
      long first = word(bytes, offset, Math.min(8, length));
      int slot = slot(first, length);
      String name;
      while ((name = NAMES[slot]) != null) {
        if (FIRST[slot] == first && LENGTHS[slot] == length
            && (length <= 8 || same(REST[slot], bytes, offset, length))) {
          return name;
        }
        slot = (slot + 1) & (SLOTS - 1);
      }
    }
    return new String(bytes, offset, length, StandardCharsets.ISO_8859_1);
  }

  private static boolean same(long[] rest, byte[] bytes, int offset, int length) {
    for (int k = 0; k < rest.length; k++) {
      int at = (k + 1) << 3;
      if (rest[k] != word(bytes, offset + at, Math.min(8, length - at))) return false;
    }
    return true;
  }

  /** The bucket of a name: its first eight bytes and its length, multiplied and folded. */
  private static int slot(long first, int length) {
    return (int) (((first + length) * 0x9E3779B97F4A7C15L) >>> (64 - SLOT_BITS));
  }

  /** Bytes {@code [at, at + n)}, {@code n} from 1 to 8, as a little-endian long. */
  private static long word(byte[] bytes, int at, int n) {
    if (at + 8 <= bytes.length) {
      long w = (long) LONGS.get(bytes, at);
      return n == 8 ? w : w & ((1L << (n << 3)) - 1);
    }
    long w = 0;
    for (int b = n - 1; b >= 0; b--) w = (w << 8) | (bytes[at + b] & 0xFF);
    return w;
  }
}
