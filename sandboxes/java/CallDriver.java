// Call-test driver for Java, appended to the solution's file by src/rewards/code/native-call.ts (RV_CLASS and
// RV_METHOD are replaced by identifiers; the JVM runs this class). stdin: line 1 the run's nonce, line 2 the
// arguments as a JSON array. The method is found by reflection (by name and arity; an overloaded name exits 3),
// each argument is converted to its parameter's generic type, the return value is serialised to tagged JSON
// (compare.ts) and written once, as "<nonce> <json>\n", to fd 4; then the JVM halts. Expected values are never here.
final class RvCallDriver__ {
  static final class Num { final String text; Num (String t) { text = t; } }

  static void die (String why) {
    System.err.println("call driver: " + why);
    System.err.flush();
    Runtime.getRuntime().halt(3);
  }

  static final class Parser {
    final String t; int i = 0; int depth = 0;
    Parser (String t) { this.t = t; }
    void ws () { while (i < t.length() && Character.isWhitespace(t.charAt(i))) i++; }
    char peek () { ws(); return i < t.length() ? t.charAt(i) : '\0'; }
    void expect (char c) { if (peek() != c) die("bad arguments JSON: expected " + c); i++; }
    String str () {
      expect('"');
      StringBuilder b = new StringBuilder();
      while (i < t.length() && t.charAt(i) != '"') {
        char c = t.charAt(i++);
        if (c != '\\') { b.append(c); continue; }
        char e = t.charAt(i++);
        switch (e) {
          case 'n': b.append('\n'); break;
          case 't': b.append('\t'); break;
          case 'r': b.append('\r'); break;
          case 'b': b.append('\b'); break;
          case 'f': b.append('\f'); break;
          case 'u': b.append((char) Integer.parseInt(t.substring(i, i + 4), 16)); i += 4; break;
          default: b.append(e);
        }
      }
      if (i >= t.length()) die("unterminated string");
      i++;
      return b.toString();
    }
    Object value () {
      if (++depth > 200) die("arguments nested too deeply");
      Object v;
      char c = peek();
      if (c == '[') {
        i++;
        java.util.List<Object> a = new java.util.ArrayList<>();
        if (peek() == ']') i++;
        else for (;;) { a.add(value()); if (peek() == ',') { i++; continue; } expect(']'); break; }
        v = a;
      } else if (c == '{') {
        i++;
        java.util.Map<String, Object> o = new java.util.LinkedHashMap<>();
        if (peek() == '}') i++;
        else for (;;) { String k = str(); expect(':'); o.put(k, value()); if (peek() == ',') { i++; continue; } expect('}'); break; }
        v = o;
      } else if (c == '"') v = str();
      else if (t.startsWith("true", i)) { i += 4; v = Boolean.TRUE; }
      else if (t.startsWith("false", i)) { i += 5; v = Boolean.FALSE; }
      else if (t.startsWith("null", i)) { i += 4; v = null; }
      else {
        int s = i;
        while (i < t.length() && "+-0123456789.eE".indexOf(t.charAt(i)) >= 0) i++;
        if (s == i) die("bad arguments JSON");
        v = new Num(t.substring(s, i));
      }
      depth--;
      return v;
    }
  }

  static boolean isIntText (String s) { return s.indexOf('.') < 0 && s.indexOf('e') < 0 && s.indexOf('E') < 0; }

  static Class<?> raw (java.lang.reflect.Type t) {
    if (t instanceof Class) return (Class<?>) t;
    if (t instanceof java.lang.reflect.ParameterizedType) return (Class<?>) ((java.lang.reflect.ParameterizedType) t).getRawType();
    if (t instanceof java.lang.reflect.WildcardType) return raw(((java.lang.reflect.WildcardType) t).getUpperBounds()[0]);
    return Object.class;
  }

  static java.lang.reflect.Type arg (java.lang.reflect.Type t, int k) {
    if (t instanceof java.lang.reflect.ParameterizedType) return ((java.lang.reflect.ParameterizedType) t).getActualTypeArguments()[k];
    return Object.class;
  }

  static Object num (Object j, Class<?> c) {
    if (!(j instanceof Num)) die("expected a number for " + c.getSimpleName());
    String s = ((Num) j).text;
    try {
      if (c == double.class || c == Double.class) return Double.parseDouble(s);
      if (c == float.class || c == Float.class) return Float.parseFloat(s);
      if (c == java.math.BigDecimal.class) return new java.math.BigDecimal(s);
      if (!isIntText(s)) die("expected an integer, got " + s);
      if (c == int.class || c == Integer.class) return Integer.parseInt(s);
      if (c == long.class || c == Long.class) return Long.parseLong(s);
      if (c == short.class || c == Short.class) return Short.parseShort(s);
      if (c == byte.class || c == Byte.class) return Byte.parseByte(s);
      if (c == java.math.BigInteger.class) return new java.math.BigInteger(s);
    } catch (NumberFormatException e) { die("number out of range for " + c.getSimpleName() + ": " + s); }
    die("unsupported number type " + c.getName());
    return null;
  }

  static final java.util.Set<Class<?>> NUMS = new java.util.HashSet<>(java.util.Arrays.asList(int.class, Integer.class, long.class, Long.class,
    short.class, Short.class, byte.class, Byte.class, double.class, Double.class, float.class, Float.class, java.math.BigInteger.class, java.math.BigDecimal.class));

  /** A JSON value as an instance of `t`. */
  @SuppressWarnings("unchecked")
  static Object from (Object j, java.lang.reflect.Type t) {
    Class<?> c = raw(t);
    if (j == null) { if (c.isPrimitive()) die("null for a " + c.getName() + " parameter"); return c == java.util.Optional.class ? java.util.Optional.empty() : null; }
    if (NUMS.contains(c)) return num(j, c);
    if (c == boolean.class || c == Boolean.class) { if (!(j instanceof Boolean)) die("expected a boolean"); return j; }
    if (c == char.class || c == Character.class) { if (!(j instanceof String) || ((String) j).length() != 1) die("expected a one-char string"); return ((String) j).charAt(0); }
    if (c == String.class || c == CharSequence.class) { if (!(j instanceof String)) die("expected a string"); return j; }
    if (c == java.util.Optional.class) return java.util.Optional.of(from(j, arg(t, 0)));
    if (c.isArray()) {
      if (!(j instanceof java.util.List)) die("expected an array");
      java.util.List<Object> l = (java.util.List<Object>) j;
      Object a = java.lang.reflect.Array.newInstance(c.getComponentType(), l.size());
      for (int k = 0; k < l.size(); k++) java.lang.reflect.Array.set(a, k, from(l.get(k), c.getComponentType()));
      return a;
    }
    if (java.util.Map.class.isAssignableFrom(c)) {
      java.util.Map<Object, Object> m = c.isAssignableFrom(java.util.HashMap.class) ? new java.util.HashMap<>() : c.isAssignableFrom(java.util.TreeMap.class) ? new java.util.TreeMap<>() : null;
      if (m == null) die("unsupported map type " + c.getName());
      java.lang.reflect.Type kt = arg(t, 0), vt = arg(t, 1);
      if (j instanceof java.util.Map) for (java.util.Map.Entry<String, Object> e : ((java.util.Map<String, Object>) j).entrySet()) {
        Class<?> kc = raw(kt);
        Object key = kc == String.class || kc == Object.class ? e.getKey() : from(kc == char.class || kc == Character.class ? e.getKey() : new Num(e.getKey()), kt);
        m.put(key, from(e.getValue(), vt));
      } else if (j instanceof java.util.List) for (Object p : (java.util.List<Object>) j) {
        if (!(p instanceof java.util.List) || ((java.util.List<Object>) p).size() != 2) die("expected [key, value] pairs");
        m.put(from(((java.util.List<Object>) p).get(0), kt), from(((java.util.List<Object>) p).get(1), vt));
      } else die("expected an object");
      return m;
    }
    if (java.util.Collection.class.isAssignableFrom(c) || c == Iterable.class) {
      if (!(j instanceof java.util.List)) die("expected an array");
      java.util.Collection<Object> out;
      if (c.isAssignableFrom(java.util.ArrayList.class)) out = new java.util.ArrayList<>();
      else if (c.isAssignableFrom(java.util.LinkedList.class)) out = new java.util.LinkedList<>();
      else if (c.isAssignableFrom(java.util.HashSet.class)) out = new java.util.HashSet<>();
      else if (c.isAssignableFrom(java.util.TreeSet.class)) out = new java.util.TreeSet<>();
      else { die("unsupported collection type " + c.getName()); return null; }
      for (Object x : (java.util.List<Object>) j) out.add(from(x, arg(t, 0)));
      return out;
    }
    if (c == Object.class) return plain(j);
    die("unsupported parameter type " + t.getTypeName());
    return null;
  }

  /** JSON as plain Java values for an Object parameter: integers Integer/Long/BigInteger, floats Double. */
  @SuppressWarnings("unchecked")
  static Object plain (Object j) {
    if (j instanceof Num) {
      String s = ((Num) j).text;
      if (!isIntText(s)) return Double.parseDouble(s);
      java.math.BigInteger b = new java.math.BigInteger(s);
      return b.bitLength() < 32 ? (Object) b.intValue() : b.bitLength() < 64 ? (Object) b.longValue() : b;
    }
    if (j instanceof java.util.List) { java.util.List<Object> out = new java.util.ArrayList<>(); for (Object x : (java.util.List<Object>) j) out.add(plain(x)); return out; }
    if (j instanceof java.util.Map) { java.util.Map<Object, Object> out = new java.util.HashMap<>(); for (java.util.Map.Entry<String, Object> e : ((java.util.Map<String, Object>) j).entrySet()) out.put(e.getKey(), plain(e.getValue())); return out; }
    return j;
  }

  static void str (StringBuilder o, String s) {
    o.append('"');
    for (int k = 0; k < s.length(); k++) {
      char c = s.charAt(k);
      if (c == '"' || c == '\\') o.append('\\').append(c);
      else if (c < 0x20 || c == 0x7f || Character.isSurrogate(c)) o.append(String.format("\\u%04x", (int) c));
      else o.append(c);
    }
    o.append('"');
  }

  static final java.math.BigInteger SAFE = java.math.BigInteger.valueOf(9007199254740992L);

  static void to (StringBuilder o, Object v, int depth) {
    if (depth > 1000) die("return value nested too deeply");
    if (v == null) o.append("null");
    else if (v instanceof Boolean) o.append(v.toString());
    else if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte || v instanceof java.math.BigInteger) {
      java.math.BigInteger b = new java.math.BigInteger(v.toString());
      if (b.abs().compareTo(SAFE) <= 0) o.append(b.toString());
      else o.append("{\"$int\":\"").append(b.toString()).append("\"}");
    } else if (v instanceof Double || v instanceof Float || v instanceof java.math.BigDecimal) {
      double d = ((Number) v).doubleValue();
      String s = Double.isNaN(d) ? "nan" : Double.isInfinite(d) ? (d > 0 ? "inf" : "-inf") : v instanceof java.math.BigDecimal ? v.toString() : Double.toString(d);
      o.append("{\"$float\":\"").append(s).append("\"}");
    } else if (v instanceof Character) str(o, v.toString());
    else if (v instanceof CharSequence) str(o, v.toString());
    else if (v instanceof java.util.Optional) to(o, ((java.util.Optional<?>) v).orElse(null), depth + 1);
    else if (v instanceof java.util.Map) {
      o.append("{\"$map\":[");
      boolean first = true;
      for (java.util.Map.Entry<?, ?> e : ((java.util.Map<?, ?>) v).entrySet()) {
        if (!first) o.append(',');
        first = false;
        o.append('['); to(o, e.getKey(), depth + 1); o.append(','); to(o, e.getValue(), depth + 1); o.append(']');
      }
      o.append("]}");
    } else if (v instanceof java.util.Collection) {
      boolean set = v instanceof java.util.Set;
      o.append(set ? "{\"$set\":[" : "[");
      boolean first = true;
      for (Object x : (java.util.Collection<?>) v) { if (!first) o.append(','); first = false; to(o, x, depth + 1); }
      o.append(set ? "]}" : "]");
    } else if (v.getClass().isArray()) {
      o.append('[');
      int n = java.lang.reflect.Array.getLength(v);
      for (int k = 0; k < n; k++) { if (k > 0) o.append(','); to(o, java.lang.reflect.Array.get(v, k), depth + 1); }
      o.append(']');
    } else die("unsupported return type " + v.getClass().getName());
  }

  public static void main (String[] argv) throws Throwable {
    String in = new String(System.in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    int nl = in.indexOf('\n');
    if (nl < 0) die("no nonce");
    String nonce = in.substring(0, nl);
    Object parsed = new Parser(in.substring(nl + 1)).value();
    if (!(parsed instanceof java.util.List)) die("arguments are not an array");
    java.util.List<?> args = (java.util.List<?>) parsed;
    Class<?> cls = RV_CLASS.class;
    java.lang.reflect.Method m = null;
    for (Class<?> k = cls; k != null; k = k.getSuperclass()) {
      for (java.lang.reflect.Method x : k.getDeclaredMethods()) {
        if (!x.getName().equals("RV_METHOD") || x.getParameterCount() != args.size() || x.isSynthetic() || x.isBridge()) continue;
        if (m != null && k == m.getDeclaringClass()) die("RV_METHOD is overloaded with " + args.size() + " parameters");
        if (m == null) m = x;
      }
    }
    if (m == null) { die("no method RV_METHOD with " + args.size() + " parameters in " + cls.getName()); return; }
    m.setAccessible(true);
    java.lang.reflect.Type[] ps = m.getGenericParameterTypes();
    Object[] vals = new Object[ps.length];
    for (int k = 0; k < ps.length; k++) vals[k] = from(args.get(k), ps[k]);
    Object target = null;
    if (!java.lang.reflect.Modifier.isStatic(m.getModifiers())) {
      java.lang.reflect.Constructor<?> ctor = cls.getDeclaredConstructor();
      ctor.setAccessible(true);
      target = ctor.newInstance();
    }
    Object r;
    try { r = m.invoke(target, vals); } catch (java.lang.reflect.InvocationTargetException e) { throw e.getCause(); }
    StringBuilder o = new StringBuilder();
    if (m.getReturnType() == void.class) o.append("null"); else to(o, r, 0);
    byte[] frame = (nonce + " " + o + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    // fd 4 is a pipe the host made (root's, mode 0600): it cannot be reopened through /proc/self/fd, only used as
    // inherited, through FileDescriptor's private constructor (the JVM runs with --add-opens java.base/java.io)
    try {
      java.lang.reflect.Constructor<java.io.FileDescriptor> fdc = java.io.FileDescriptor.class.getDeclaredConstructor(int.class);
      fdc.setAccessible(true);
      java.io.FileOutputStream f = new java.io.FileOutputStream(fdc.newInstance(4));
      f.write(frame);
      f.flush();
    } catch (Exception e) { die("cannot write the result: " + e); }
    Runtime.getRuntime().halt(0);
  }
}
