package dev.llmpulse.core.internal;

import java.util.Locale;
import java.util.Map;

/**
 * {@code gen_ai_provider_name} by request host: the user's table first, then the well-known hosts
 * (values as the OpenTelemetry GenAI conventions spell them where they define one).
 *
 * <p>Part of the binding contract: no compatibility promise.
 */
public final class ProviderNames {
  private static final String[][] SUFFIXES = {
      {"api.openai.com", "openai"},
      {"api.anthropic.com", "anthropic"},
      {"generativelanguage.googleapis.com", "gcp.gemini"},
      {"aiplatform.googleapis.com", "gcp.vertex_ai"},
      {"openai.azure.com", "azure.ai.openai"},
      {"services.ai.azure.com", "azure.ai.inference"},
      {"models.ai.azure.com", "azure.ai.inference"},
      {"models.inference.ai.azure.com", "azure.ai.inference"},
      {"api.deepseek.com", "deepseek"},
      {"api.groq.com", "groq"},
      {"api.mistral.ai", "mistral_ai"},
      {"api.x.ai", "x_ai"},
      {"api.cohere.com", "cohere"},
      {"api.perplexity.ai", "perplexity"},
      {"openrouter.ai", "openrouter"},
      {"api.together.xyz", "together"},
      {"api.fireworks.ai", "fireworks"},
      {"dashscope.aliyuncs.com", "dashscope"},
      {"dashscope-intl.aliyuncs.com", "dashscope"},
      {"api.moonshot.cn", "moonshot"},
      {"api.moonshot.ai", "moonshot"},
      {"open.bigmodel.cn", "zhipu"},
      {"api.z.ai", "zhipu"},
      {"bedrock-runtime.amazonaws.com", "aws.bedrock"},
  };

  private final Map<String, String> custom;

  /** @param custom lower-case host to provider name, checked before the well-known hosts */
  public ProviderNames(Map<String, String> custom) {
    this.custom = custom;
  }

  /** The provider of {@code host}; {@code _OTHER} when it is not known. */
  public String forHost(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    String name = custom.get(h);
    if (name != null) return name;
    for (String[] entry : SUFFIXES) {
      String suffix = entry[0];
      if (h.equals(suffix) || (h.endsWith(suffix) && h.charAt(h.length() - suffix.length() - 1) == '.')) {
        return entry[1];
      }
    }
    if (h.endsWith(".amazonaws.com") && h.startsWith("bedrock-runtime.")) return "aws.bedrock";
    // Vertex AI's regional endpoints: us-east5-aiplatform.googleapis.com (Claude's usual host).
    if (h.endsWith("-aiplatform.googleapis.com")) return "gcp.vertex_ai";
    if (h.endsWith(".cognitiveservices.azure.com")) return "azure.ai.openai";
    return "_OTHER";
  }

  /**
   * The provider of a request: as {@link #forHost}, except that an Azure AI Foundry host
   * ({@code *.services.ai.azure.com}) serving the Azure OpenAI API ({@code /openai/…}) is
   * {@code azure.ai.openai}, not {@code azure.ai.inference}. The user's own names win.
   */
  public String forRequest(String host, String path) {
    String name = forHost(host);
    if ("azure.ai.inference".equals(name) && !custom.containsKey(host.toLowerCase(Locale.ROOT))
        && path != null && path.toLowerCase(Locale.ROOT).startsWith("/openai/")) {
      return "azure.ai.openai";
    }
    return name;
  }
}
