/**
 * The binding contract: what an HTTP client binding (the OkHttp interceptor, the anthropic-java
 * and LangChain4j adapters, the Spring starter's RestClient and WebClient filters) uses to record
 * calls — {@link dev.llmpulse.core.internal.Binding}, {@link dev.llmpulse.core.internal.LlmCall},
 * the metric set, the response scanner and its format readers. Public for the bindings only:
 * like OkHttp's {@code okhttp3.internal}, it carries <b>no compatibility promise</b> and may
 * change in any release. Applications use {@code dev.llmpulse.core} and their binding's builder.
 */
package dev.llmpulse.core.internal;
