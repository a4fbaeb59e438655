package dev.llmpulse.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.http.client.HttpClient;
import java.io.InputStream;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** Each test execution runs against the LangChain4j it claims: the newest, or the oldest supported. */
class LangChain4jVersionTest {
  @Test
  void theHttpClientSpiOnTheClasspathIsTheExpectedVersion() throws Exception {
    String expected = System.getProperty("llmpulse.expectedLangChain4j");
    assertThat(expected).as("set by the surefire execution").isNotBlank();
    Properties pom = new Properties();
    try (InputStream in = HttpClient.class.getResourceAsStream(
        "/META-INF/maven/dev.langchain4j/langchain4j-http-client/pom.properties")) {
      assertThat(in).isNotNull();
      pom.load(in);
    }
    assertThat(pom.getProperty("version")).isEqualTo(expected);
  }
}
