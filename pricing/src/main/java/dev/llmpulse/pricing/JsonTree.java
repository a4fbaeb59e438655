package dev.llmpulse.pricing;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A price file read into plain {@code java.util} values with jackson-core's streaming parser, so
 * pricing needs no jackson-databind. A JSON object is a {@code LinkedHashMap<String, Object>} (in
 * document order), an array a {@code List<Object>}, a string a {@code String}, {@code true} and
 * {@code false} a {@code Boolean}, an integer a {@code Long} (a {@code BigInteger} past its
 * range), any other number a {@code Double}, and JSON {@code null} is {@link #NULL}; a Java
 * {@code null} from {@code Map.get} means the field is absent.
 *
 * <p>Strict: a duplicate key anywhere is an error. Only the first JSON value of the input is read,
 * as {@code ObjectMapper.readTree} did before.
 */
final class JsonTree {
  /** JSON {@code null}, told apart from an absent field. */
  static final Object NULL = new Object() {
    @Override
    public String toString() {
      return "null";
    }
  };

  private static final JsonFactory JSON = JsonFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      // error messages never quote the input (2.16's default; 2.15 had it on)
      .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
      .build();

  private JsonTree() {}

  /**
   * Reads the first JSON value of {@code in} (closing it), which must be an object.
   *
   * @throws IllegalArgumentException naming {@code what}: not JSON, or not an object
   * @throws UncheckedIOException if the stream cannot be read
   */
  static Map<String, Object> readObject(InputStream in, String what) {
    if (in == null) throw new IllegalArgumentException(what + ": input stream is null");
    Object root;
    try (JsonParser p = JSON.createParser(in)) {
      root = p.nextToken() == null ? null : value(p);
    } catch (JsonProcessingException e) {
      JsonLocation where = e.getLocation();
      throw new IllegalArgumentException(what + " is not valid JSON: " + e.getOriginalMessage()
          + " at line " + (where == null ? "?" : where.getLineNr()), e);
    } catch (IOException e) {
      throw new UncheckedIOException(what + ": could not be read", e);
    }
    Map<String, Object> object = object(root);
    if (object == null) {
      throw new IllegalArgumentException(what + ": expected a JSON object at the top level");
    }
    return object;
  }

  /** The value whose first token the parser is on. */
  private static Object value(JsonParser p) throws IOException {
    switch (p.currentToken()) {
      case START_OBJECT:
        Map<String, Object> object = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          p.nextToken();
          object.put(name, value(p));
        }
        return object;
      case START_ARRAY:
        List<Object> array = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) array.add(value(p));
        return array;
      case VALUE_STRING:
        return p.getText();
      case VALUE_NUMBER_INT:
        return p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
            ? p.getBigIntegerValue() : (Object) p.getLongValue();
      case VALUE_NUMBER_FLOAT:
        return p.getDoubleValue();
      case VALUE_TRUE:
        return Boolean.TRUE;
      case VALUE_FALSE:
        return Boolean.FALSE;
      case VALUE_NULL:
        return NULL;
      default: // a streaming parser gives no other token where a value starts
        throw new IllegalStateException("unexpected token " + p.currentToken());
    }
  }

  /** {@code v} as an object, or null when it is absent or another kind of value. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> object(Object v) {
    return v instanceof Map ? (Map<String, Object>) v : null;
  }

  /** {@code v} as an array, or null when it is absent or another kind of value. */
  @SuppressWarnings("unchecked")
  static List<Object> array(Object v) {
    return v instanceof List ? (List<Object>) v : null;
  }

  /** The kind of value, as error messages name it: OBJECT, ARRAY, STRING, NUMBER, ... */
  static String kind(Object v) {
    if (v instanceof Map) return "OBJECT";
    if (v instanceof List) return "ARRAY";
    if (v instanceof String) return "STRING";
    if (v instanceof Number) return "NUMBER";
    if (v instanceof Boolean) return "BOOLEAN";
    return v == NULL ? "NULL" : "MISSING";
  }

  /** {@code v} written as compact JSON for an error message; "null" when absent. */
  static String toJson(Object v) {
    StringBuilder sb = new StringBuilder();
    write(sb, v);
    return sb.toString();
  }

  private static void write(StringBuilder sb, Object v) {
    if (v instanceof String) {
      quote(sb, (String) v);
    } else if (v instanceof Double && !Double.isFinite((Double) v)) {
      sb.append('"').append(v).append('"'); // as Jackson writes Infinity and NaN
    } else if (v instanceof Map) {
      sb.append('{');
      String sep = "";
      for (Map.Entry<String, Object> e : object(v).entrySet()) {
        sb.append(sep);
        quote(sb, e.getKey());
        sb.append(':');
        write(sb, e.getValue());
        sep = ",";
      }
      sb.append('}');
    } else if (v instanceof List) {
      sb.append('[');
      String sep = "";
      for (Object item : array(v)) {
        sb.append(sep);
        write(sb, item);
        sep = ",";
      }
      sb.append(']');
    } else {
      sb.append(v); // numbers, booleans, NULL and absent (null) all print as JSON does
    }
  }

  private static void quote(StringBuilder sb, String s) {
    sb.append('"');
    JsonStringEncoder.getInstance().quoteAsString(s, sb);
    sb.append('"');
  }
}
