// Call-test driver for C++ (src/rewards/code/native-call.ts assembles: this prelude, the solution, the epilogue).
// The prelude is parsed before the solution, so the solution's macros (`#define int long long`) do not reach it.
// stdin: line 1 the run's nonce, line 2 the arguments as a JSON array. The function's parameter types are deduced
// from the function itself; each argument is parsed into its parameter's type (a mismatch exits 3). The return
// value is serialised to tagged JSON (compare.ts) and written once, as "<nonce> <json>\n", to fd 4, which the host
// reads; then the process ends with _exit(0). Expected values are never here: the host compares.
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <iostream>
#include <limits>
#include <list>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>
#include <unistd.h>

namespace rv_call_ {

[[noreturn]] inline void die (const std::string &why) {
  std::string m = "call driver: " + why + "\n";
  if (::write(2, m.data(), m.size()) < 0) { /* nothing to do */ }
  ::_exit(3);
}

struct J {
  enum K { Null, Bool, Num, Str, Arr, Obj } k = Null;
  bool b = false;
  std::string s; // number text, or string value
  std::vector<J> a;
  std::vector<std::pair<std::string, J>> o;
};

struct Parser {
  const std::string &t;
  size_t i = 0;
  int depth = 0;
  void ws () { while (i < t.size() && (t[i] == ' ' || t[i] == '\n' || t[i] == '\r' || t[i] == '\t')) i++; }
  char peek () { ws(); return i < t.size() ? t[i] : '\0'; }
  void expect (char c) { if (peek() != c) die(std::string("bad arguments JSON: expected ") + c); i++; }
  static void utf8 (std::string &out, unsigned long cp) {
    if (cp < 0x80) out += char(cp);
    else if (cp < 0x800) { out += char(0xC0 | (cp >> 6)); out += char(0x80 | (cp & 0x3F)); }
    else if (cp < 0x10000) { out += char(0xE0 | (cp >> 12)); out += char(0x80 | ((cp >> 6) & 0x3F)); out += char(0x80 | (cp & 0x3F)); }
    else { out += char(0xF0 | (cp >> 18)); out += char(0x80 | ((cp >> 12) & 0x3F)); out += char(0x80 | ((cp >> 6) & 0x3F)); out += char(0x80 | (cp & 0x3F)); }
  }
  unsigned long hex4 () {
    if (i + 4 > t.size()) die("bad \\u escape");
    unsigned long v = std::strtoul(t.substr(i, 4).c_str(), nullptr, 16);
    i += 4;
    return v;
  }
  std::string str () {
    expect('"');
    std::string out;
    while (i < t.size() && t[i] != '"') {
      char c = t[i++];
      if (c != '\\') { out += c; continue; }
      if (i >= t.size()) break;
      char e = t[i++];
      switch (e) {
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'u': {
          unsigned long cp = hex4();
          if (cp >= 0xD800 && cp < 0xDC00 && i + 6 <= t.size() && t[i] == '\\' && t[i + 1] == 'u') {
            i += 2;
            unsigned long lo = hex4();
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          }
          utf8(out, cp);
          break;
        }
        default: out += e;
      }
    }
    if (i >= t.size()) die("unterminated string");
    i++;
    return out;
  }
  J value () {
    if (++depth > 200) die("arguments nested too deeply");
    J v;
    char c = peek();
    if (c == '[') {
      v.k = J::Arr; i++;
      if (peek() == ']') i++;
      else for (;;) { v.a.push_back(value()); if (peek() == ',') { i++; continue; } expect(']'); break; }
    } else if (c == '{') {
      v.k = J::Obj; i++;
      if (peek() == '}') i++;
      else for (;;) { std::string k = str(); expect(':'); v.o.emplace_back(k, value()); if (peek() == ',') { i++; continue; } expect('}'); break; }
    } else if (c == '"') { v.k = J::Str; v.s = str(); }
    else if (t.compare(i, 4, "true") == 0) { v.k = J::Bool; v.b = true; i += 4; }
    else if (t.compare(i, 5, "false") == 0) { v.k = J::Bool; i += 5; }
    else if (t.compare(i, 4, "null") == 0) { i += 4; }
    else {
      size_t s = i;
      while (i < t.size() && std::strchr("+-0123456789.eE", t[i]) != nullptr && t[i] != '\0') i++;
      if (s == i) die("bad arguments JSON");
      v.k = J::Num; v.s = t.substr(s, i - s);
    }
    depth--;
    return v;
  }
};

template <class T> struct tag {};
template <class T> T from (const J &j);

inline bool is_int_text (const std::string &s) { return s.find_first_of(".eE") == std::string::npos; }

template <class T> T num (const J &j) {
  if (j.k != J::Num) die("expected a number");
  if constexpr (std::is_floating_point_v<T>) return static_cast<T>(std::strtold(j.s.c_str(), nullptr));
  else {
    if (!is_int_text(j.s)) die("expected an integer, got " + j.s);
    errno = 0;
    if constexpr (std::is_signed_v<T>) {
      long long v = std::strtoll(j.s.c_str(), nullptr, 10);
      if (errno != 0 || v < (long long)std::numeric_limits<T>::min() || v > (long long)std::numeric_limits<T>::max()) die("integer out of range: " + j.s);
      return static_cast<T>(v);
    } else {
      if (j.s[0] == '-') die("negative value for an unsigned parameter");
      unsigned long long v = std::strtoull(j.s.c_str(), nullptr, 10);
      if (errno != 0 || v > (unsigned long long)std::numeric_limits<T>::max()) die("integer out of range: " + j.s);
      return static_cast<T>(v);
    }
  }
}

template <class T> struct is_seq : std::false_type {};
template <class T, class A> struct is_seq<std::vector<T, A>> : std::true_type {};
template <class T, class A> struct is_seq<std::deque<T, A>> : std::true_type {};
template <class T, class A> struct is_seq<std::list<T, A>> : std::true_type {};
template <class T> struct is_set : std::false_type {};
template <class T, class C, class A> struct is_set<std::set<T, C, A>> : std::true_type {};
template <class T, class C, class A> struct is_set<std::multiset<T, C, A>> : std::true_type {};
template <class T, class H, class E, class A> struct is_set<std::unordered_set<T, H, E, A>> : std::true_type {};
template <class T> struct is_map : std::false_type {};
template <class K, class V, class C, class A> struct is_map<std::map<K, V, C, A>> : std::true_type {};
template <class K, class V, class H, class E, class A> struct is_map<std::unordered_map<K, V, H, E, A>> : std::true_type {};
template <class T> struct is_tuple : std::false_type {};
template <class... T> struct is_tuple<std::tuple<T...>> : std::true_type {};
template <class A, class B> struct is_tuple<std::pair<A, B>> : std::true_type {};
template <class T> struct is_opt : std::false_type {};
template <class T> struct is_opt<std::optional<T>> : std::true_type {};
template <class T> inline constexpr bool unsupported_v = false;

template <class K> K key_from (const std::string &s) {
  if constexpr (std::is_same_v<K, std::string>) return s;
  else { J j; j.k = J::Num; j.s = s; if constexpr (std::is_same_v<K, char>) { if (s.size() != 1) die("map key is not one char"); return s[0]; } else return from<K>(j); }
}

template <class Tup, size_t... I> Tup tuple_from (const J &j, std::index_sequence<I...>) {
  if (j.k != J::Arr || j.a.size() != sizeof...(I)) die("expected an array of " + std::to_string(sizeof...(I)) + " items (tuple)");
  return Tup{from<std::tuple_element_t<I, Tup>>(j.a[I])...};
}

template <class T> T from (const J &j) {
  if constexpr (std::is_same_v<T, bool>) { if (j.k != J::Bool) die("expected a boolean"); return j.b; }
  else if constexpr (std::is_same_v<T, char>) { if (j.k != J::Str || j.s.size() != 1) die("expected a one-char string"); return j.s[0]; }
  else if constexpr (std::is_arithmetic_v<T>) return num<T>(j);
  else if constexpr (std::is_same_v<T, std::string>) { if (j.k != J::Str) die("expected a string"); return j.s; }
  else if constexpr (is_opt<T>::value) { if (j.k == J::Null) return T{}; return T{from<typename T::value_type>(j)}; }
  else if constexpr (is_seq<T>::value || is_set<T>::value) {
    if (j.k != J::Arr) die("expected an array");
    T out;
    for (const J &x : j.a) out.insert(out.end(), from<typename T::value_type>(x));
    return out;
  } else if constexpr (is_map<T>::value) {
    T out;
    using K = typename T::key_type;
    using V = typename T::mapped_type;
    if (j.k == J::Obj) for (const auto &kv : j.o) out.emplace(key_from<K>(kv.first), from<V>(kv.second));
    else if (j.k == J::Arr) for (const J &p : j.a) { if (p.k != J::Arr || p.a.size() != 2) die("expected [key, value] pairs"); out.emplace(from<K>(p.a[0]), from<V>(p.a[1])); }
    else die("expected an object");
    return out;
  } else if constexpr (is_tuple<T>::value) return tuple_from<T>(j, std::make_index_sequence<std::tuple_size_v<T>>{});
  else static_assert(unsupported_v<T>, "call tests: unsupported parameter type");
}

// ---- serialisation of the return value (tagged JSON, compare.ts)
inline void str_to (std::string &o, const std::string &s) {
  o += '"';
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') { o += '\\'; o += char(c); }
    else if (c < 0x20 || c == 0x7f) { char b[8]; std::snprintf(b, sizeof b, "\\u%04x", c); o += b; }
    else o += char(c);
  }
  o += '"';
}

template <class T> void to (std::string &o, const T &v);

template <class Tup, size_t... I> void tuple_to (std::string &o, const Tup &t, std::index_sequence<I...>) {
  o += "{\"$tuple\":[";
  size_t n = 0;
  ((o += (n++ ? "," : ""), to(o, std::get<I>(t))), ...);
  o += "]}";
}

template <class T> void to (std::string &o, const T &v) {
  if constexpr (std::is_same_v<T, bool>) o += v ? "true" : "false";
  else if constexpr (std::is_same_v<T, char>) str_to(o, std::string(1, v));
  else if constexpr (std::is_integral_v<T>) {
    // past 2^53 a JSON number loses digits on the host: tagged, exact
    constexpr long long SAFE = 9007199254740992LL;
    bool safe;
    if constexpr (std::is_signed_v<T>) safe = (long long)v >= -SAFE && (long long)v <= SAFE;
    else safe = (unsigned long long)v <= (unsigned long long)SAFE;
    if (safe) o += std::to_string(v);
    else { o += "{\"$int\":\""; o += std::to_string(v); o += "\"}"; }
  }
  else if constexpr (std::is_floating_point_v<T>) {
    char b[64];
    if (std::isnan(v)) std::snprintf(b, sizeof b, "nan");
    else if (std::isinf(v)) std::snprintf(b, sizeof b, v > 0 ? "inf" : "-inf");
    else std::snprintf(b, sizeof b, "%.21Lg", static_cast<long double>(v));
    o += "{\"$float\":\""; o += b; o += "\"}";
  } else if constexpr (std::is_same_v<T, std::string>) str_to(o, v);
  else if constexpr (std::is_same_v<T, const char *> || std::is_same_v<T, char *>) { if (v == nullptr) o += "null"; else str_to(o, v); }
  else if constexpr (is_opt<T>::value) { if (v) to(o, *v); else o += "null"; }
  else if constexpr (is_seq<T>::value || is_set<T>::value) {
    o += is_set<T>::value ? "{\"$set\":[" : "[";
    bool first = true;
    for (const auto &x : v) { if (!first) o += ','; first = false; to(o, static_cast<typename T::value_type>(x)); }
    o += is_set<T>::value ? "]}" : "]";
  } else if constexpr (is_map<T>::value) {
    o += "{\"$map\":[";
    bool first = true;
    for (const auto &kv : v) { if (!first) o += ','; first = false; o += '['; to(o, kv.first); o += ','; to(o, kv.second); o += ']'; }
    o += "]}";
  } else if constexpr (is_tuple<T>::value) tuple_to(o, v, std::make_index_sequence<std::tuple_size_v<T>>{});
  else static_assert(unsupported_v<T>, "call tests: unsupported return type");
}

// ---- the call
template <class F> struct sig;
template <class R, class... A> struct sig<R (*)(A...)> { using ret = R; using args = std::tuple<A...>; };
template <class R, class... A> struct sig<R (*)(A...) noexcept> : sig<R (*)(A...)> {};
template <class C, class R, class... A> struct sig<R (C::*)(A...)> { using ret = R; using args = std::tuple<A...>; using cls = C; };
template <class C, class R, class... A> struct sig<R (C::*)(A...) const> : sig<R (C::*)(A...)> {};
template <class C, class R, class... A> struct sig<R (C::*)(A...) noexcept> : sig<R (C::*)(A...)> {};
template <class C, class R, class... A> struct sig<R (C::*)(A...) const noexcept> : sig<R (C::*)(A...)> {};

template <class P> using held = std::remove_cv_t<std::remove_reference_t<P>>;

template <class Args, size_t... I> auto parse_args (const J &j, std::index_sequence<I...>) {
  return std::tuple<held<std::tuple_element_t<I, Args>>...>{from<held<std::tuple_element_t<I, Args>>>(j.a[I])...};
}

inline std::string read_all_stdin () {
  std::string in;
  char buf[65536];
  ssize_t n;
  while ((n = ::read(0, buf, sizeof buf)) > 0) in.append(buf, size_t(n));
  return in;
}

inline void report (const std::string &nonce, const std::string &json) {
  std::string frame = nonce + " " + json + "\n";
  size_t off = 0;
  while (off < frame.size()) {
    ssize_t w = ::write(4, frame.data() + off, frame.size() - off);
    if (w <= 0) die("cannot write the result");
    off += size_t(w);
  }
  ::_exit(0);
}

template <class Fn, class Obj, class Args, class Tup, size_t... I>
decltype(auto) call_with (Fn fn, Obj *obj, Tup &t, std::index_sequence<I...>) {
  if constexpr (std::is_member_function_pointer_v<Fn>) return (obj->*fn)(static_cast<std::tuple_element_t<I, Args> &&>(std::get<I>(t))...);
  else { (void)obj; return fn(static_cast<std::tuple_element_t<I, Args> &&>(std::get<I>(t))...); }
}

struct none {};
template <class S, class = void> struct cls_of { using type = none; };
template <class S> struct cls_of<S, std::void_t<typename S::cls>> { using type = typename S::cls; };

/** Reads the nonce and the arguments, calls `fn` (a member function on a default-constructed object), reports. */
template <class Fn> int run (Fn fn) {
  using S = sig<Fn>;
  using Args = typename S::args;
  using R = typename S::ret;
  constexpr size_t N = std::tuple_size_v<Args>;
  std::string in = read_all_stdin();
  size_t nl = in.find('\n');
  if (nl == std::string::npos) die("no nonce");
  std::string nonce = in.substr(0, nl);
  std::string rest = in.substr(nl + 1);
  Parser p{rest};
  J args = p.value();
  if (args.k != J::Arr) die("arguments are not an array");
  if (args.a.size() != N) die("the function takes " + std::to_string(N) + " arguments, the test gives " + std::to_string(args.a.size()));
  auto held_args = parse_args<Args>(args, std::make_index_sequence<N>{});
  using C = typename cls_of<S>::type;
  C obj{};
  std::string out;
  if constexpr (std::is_void_v<R>) {
    call_with<Fn, C, Args>(fn, &obj, held_args, std::make_index_sequence<N>{});
    out = "null";
  } else {
    auto &&r = call_with<Fn, C, Args>(fn, &obj, held_args, std::make_index_sequence<N>{});
    to(out, static_cast<const held<R> &>(r));
  }
  report(nonce, out);
  return 0;
}

} // namespace rv_call_
