package dev.llmpulse.core.internal;

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

  private static final int SLOTS = 1024; // a power of two, well over twice KNOWN
  private static final byte[][] KEYS = new byte[SLOTS][];
  private static final String[] NAMES = new String[SLOTS];

  static {
    for (String name : KNOWN) {
      byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
      int slot = hash(bytes, bytes.length) & (SLOTS - 1);
      while (KEYS[slot] != null && !name.equals(NAMES[slot])) slot = (slot + 1) & (SLOTS - 1);
      KEYS[slot] = bytes;
      NAMES[slot] = name;
    }
  }

  private FieldNames() {}

  /** The name held by the first {@code length} bytes of {@code bytes}, all ASCII. */
  static String ascii(byte[] bytes, int length) {
    int slot = hash(bytes, length) & (SLOTS - 1);
    byte[] key;
    while ((key = KEYS[slot]) != null) {
      if (key.length == length && same(key, bytes, length)) return NAMES[slot];
      slot = (slot + 1) & (SLOTS - 1);
    }
    return new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
  }

  private static boolean same(byte[] key, byte[] bytes, int length) {
    for (int i = 0; i < length; i++) {
      if (key[i] != bytes[i]) return false;
    }
    return true;
  }

  private static int hash(byte[] bytes, int length) {
    int h = length;
    for (int i = 0; i < length; i++) h = h * 31 + bytes[i];
    return h ^ (h >>> 15);
  }
}
