/* Call-test driver runtime for C (src/rewards/code/native-call.ts assembles: this prelude, the solution, a
 * generated epilogue that parses each logical argument, calls the function and writes the result).
 * stdin: line 1 the run's nonce, line 2 the arguments as a JSON array. A value the parameter's type cannot hold
 * exits 3. The result is written once, as "<nonce> <tagged JSON>\n", to fd 4 (the same tagged JSON as the C++
 * driver: integers past 2^53 {"$int":...}, floats {"$float":...}); then _exit(0). Expected values are never here.
 * The headers below are the ones LeetCode-style C assumes without including them; reading, writing and leaving go
 * through glibc's reserved names (__read, __write, _Exit) by asm labels, so a solution's own `read` or `write`
 * neither clashes with <unistd.h> nor replaces the driver's. */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern long rv_sys_read_ (int, void *, unsigned long) __asm__("__read");
extern long rv_sys_write_ (int, const void *, unsigned long) __asm__("__write");
extern void rv_sys_exit_ (int) __asm__("_Exit") __attribute__((noreturn));

static void rv_die_ (const char *why) __attribute__((noreturn));
static void rv_die_ (const char *why) {
  char m[512];
  int n = snprintf(m, sizeof m, "call driver: %s\n", why);
  if (n > 0) rv_sys_write_(2, m, (unsigned long)(n < (int)sizeof m ? n : (int)sizeof m - 1));
  rv_sys_exit_(3);
}

static void *rv_alloc_ (size_t n, size_t size) {
  void *p = calloc(n == 0 ? 1 : n, size);
  if (p == NULL) rv_die_("out of memory");
  return p;
}

/* ---- JSON values */
typedef struct rv_j_ {
  enum { RV_NULL, RV_BOOL, RV_NUM, RV_STR, RV_ARR, RV_OBJ } k;
  _Bool b;
  char *s; /* number text, or the string's bytes (NUL-terminated; len bytes) */
  size_t len;
  struct rv_j_ *a; /* array items */
  size_t n;
} rv_j_;

typedef struct { const char *t; size_t i, n; int depth; } rv_parser_;

static void rv_ws_ (rv_parser_ *p) { while (p->i < p->n && strchr(" \n\r\t", p->t[p->i]) != NULL && p->t[p->i] != '\0') p->i++; }
static char rv_peek_ (rv_parser_ *p) { rv_ws_(p); return p->i < p->n ? p->t[p->i] : '\0'; }
static void rv_expect_ (rv_parser_ *p, char c) { if (rv_peek_(p) != c) rv_die_("bad arguments JSON"); p->i++; }

typedef struct { char *b; size_t n, cap; } rv_buf_;
static void rv_put_ (rv_buf_ *o, const char *s, size_t n) {
  if (o->n + n + 1 > o->cap) {
    size_t cap = o->cap == 0 ? 256 : o->cap;
    while (o->n + n + 1 > cap) cap *= 2;
    o->b = realloc(o->b, cap);
    if (o->b == NULL) rv_die_("out of memory");
    o->cap = cap;
  }
  memcpy(o->b + o->n, s, n);
  o->n += n;
  o->b[o->n] = '\0';
}
static void rv_puts_ (rv_buf_ *o, const char *s) { rv_put_(o, s, strlen(s)); }
static void rv_putc_ (rv_buf_ *o, char c) { rv_put_(o, &c, 1); }

static unsigned long rv_hex4_ (rv_parser_ *p) {
  unsigned long v = 0;
  if (p->i + 4 > p->n) rv_die_("bad \\u escape");
  for (int k = 0; k < 4; k++) {
    char c = p->t[p->i++];
    int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    if (d < 0) rv_die_("bad \\u escape");
    v = v * 16 + (unsigned long)d;
  }
  return v;
}

static void rv_utf8_ (rv_buf_ *o, unsigned long cp) {
  if (cp < 0x80) rv_putc_(o, (char)cp);
  else if (cp < 0x800) { rv_putc_(o, (char)(0xC0 | (cp >> 6))); rv_putc_(o, (char)(0x80 | (cp & 0x3F))); }
  else if (cp < 0x10000) { rv_putc_(o, (char)(0xE0 | (cp >> 12))); rv_putc_(o, (char)(0x80 | ((cp >> 6) & 0x3F))); rv_putc_(o, (char)(0x80 | (cp & 0x3F))); }
  else { rv_putc_(o, (char)(0xF0 | (cp >> 18))); rv_putc_(o, (char)(0x80 | ((cp >> 12) & 0x3F))); rv_putc_(o, (char)(0x80 | ((cp >> 6) & 0x3F))); rv_putc_(o, (char)(0x80 | (cp & 0x3F))); }
}

static void rv_str_ (rv_parser_ *p, rv_j_ *v) {
  rv_buf_ o = { 0 };
  rv_expect_(p, '"');
  rv_put_(&o, "", 0);
  while (p->i < p->n && p->t[p->i] != '"') {
    char c = p->t[p->i++];
    if (c != '\\') { rv_putc_(&o, c); continue; }
    if (p->i >= p->n) break;
    char e = p->t[p->i++];
    switch (e) {
      case 'n': rv_putc_(&o, '\n'); break;
      case 't': rv_putc_(&o, '\t'); break;
      case 'r': rv_putc_(&o, '\r'); break;
      case 'b': rv_putc_(&o, '\b'); break;
      case 'f': rv_putc_(&o, '\f'); break;
      case 'u': {
        unsigned long cp = rv_hex4_(p);
        if (cp >= 0xD800 && cp < 0xDC00 && p->i + 6 <= p->n && p->t[p->i] == '\\' && p->t[p->i + 1] == 'u') {
          p->i += 2;
          unsigned long lo = rv_hex4_(p);
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        }
        rv_utf8_(&o, cp);
        break;
      }
      default: rv_putc_(&o, e);
    }
  }
  if (p->i >= p->n) rv_die_("unterminated string");
  p->i++;
  v->k = RV_STR;
  v->s = o.b;
  v->len = o.n;
}

static void rv_value_ (rv_parser_ *p, rv_j_ *v) {
  if (++p->depth > 200) rv_die_("arguments nested too deeply");
  memset(v, 0, sizeof *v);
  char c = rv_peek_(p);
  if (c == '[' || c == '{') {
    char close = c == '[' ? ']' : '}';
    size_t cap = 0;
    v->k = c == '[' ? RV_ARR : RV_OBJ;
    p->i++;
    if (rv_peek_(p) == close) p->i++;
    else for (;;) {
      if (v->n == cap) { cap = cap == 0 ? 8 : cap * 2; v->a = realloc(v->a, cap * sizeof *v->a); if (v->a == NULL) rv_die_("out of memory"); }
      if (v->k == RV_OBJ) { rv_j_ key; rv_str_(p, &key); rv_expect_(p, ':'); } /* objects are not a C argument: skipped */
      rv_value_(p, &v->a[v->n++]);
      if (rv_peek_(p) == ',') { p->i++; continue; }
      rv_expect_(p, close);
      break;
    }
  } else if (c == '"') rv_str_(p, v);
  else if (strncmp(p->t + p->i, "true", 4) == 0) { v->k = RV_BOOL; v->b = 1; p->i += 4; }
  else if (strncmp(p->t + p->i, "false", 5) == 0) { v->k = RV_BOOL; p->i += 5; }
  else if (strncmp(p->t + p->i, "null", 4) == 0) p->i += 4;
  else {
    size_t s = p->i;
    while (p->i < p->n && p->t[p->i] != '\0' && strchr("+-0123456789.eE", p->t[p->i]) != NULL) p->i++;
    if (s == p->i) rv_die_("bad arguments JSON");
    v->k = RV_NUM;
    v->len = p->i - s;
    v->s = rv_alloc_(v->len + 1, 1);
    memcpy(v->s, p->t + s, v->len);
  }
  p->depth--;
}

/* ---- arguments: one parser per C type, chosen by _Generic in the epilogue */
static const char *rv_num_ (const rv_j_ *j, _Bool integer) {
  if (j->k != RV_NUM) rv_die_(integer ? "expected an integer" : "expected a number");
  if (integer && strpbrk(j->s, ".eE") != NULL) rv_die_("expected an integer, got a number with a fraction or an exponent");
  return j->s;
}
static long long rv_signed_ (const rv_j_ *j, long long lo, long long hi) {
  const char *s = rv_num_(j, 1);
  char *end;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if (errno != 0 || *end != '\0' || v < lo || v > hi) rv_die_("integer out of range for the parameter's type");
  return v;
}
static unsigned long long rv_unsigned_ (const rv_j_ *j, unsigned long long hi) {
  const char *s = rv_num_(j, 1);
  char *end;
  if (s[0] == '-') rv_die_("negative value for an unsigned parameter");
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno != 0 || *end != '\0' || v > hi) rv_die_("integer out of range for the parameter's type");
  return v;
}
static signed char rv_p_schar_ (const rv_j_ *j) { return (signed char)rv_signed_(j, SCHAR_MIN, SCHAR_MAX); }
static short rv_p_short_ (const rv_j_ *j) { return (short)rv_signed_(j, SHRT_MIN, SHRT_MAX); }
static int rv_p_int_ (const rv_j_ *j) { return (int)rv_signed_(j, INT_MIN, INT_MAX); }
static long rv_p_long_ (const rv_j_ *j) { return (long)rv_signed_(j, LONG_MIN, LONG_MAX); }
static long long rv_p_llong_ (const rv_j_ *j) { return rv_signed_(j, LLONG_MIN, LLONG_MAX); }
static unsigned char rv_p_uchar_ (const rv_j_ *j) { return (unsigned char)rv_unsigned_(j, UCHAR_MAX); }
static unsigned short rv_p_ushort_ (const rv_j_ *j) { return (unsigned short)rv_unsigned_(j, USHRT_MAX); }
static unsigned rv_p_uint_ (const rv_j_ *j) { return (unsigned)rv_unsigned_(j, UINT_MAX); }
static unsigned long rv_p_ulong_ (const rv_j_ *j) { return (unsigned long)rv_unsigned_(j, ULONG_MAX); }
static unsigned long long rv_p_ullong_ (const rv_j_ *j) { return rv_unsigned_(j, ULLONG_MAX); }
static long double rv_p_ldouble_ (const rv_j_ *j) { return strtold(rv_num_(j, 0), NULL); }
static double rv_p_double_ (const rv_j_ *j) { return strtod(rv_num_(j, 0), NULL); }
static float rv_p_float_ (const rv_j_ *j) { return strtof(rv_num_(j, 0), NULL); }
static _Bool rv_p_bool_ (const rv_j_ *j) { if (j->k != RV_BOOL) rv_die_("expected a boolean"); return j->b; }
static char rv_p_char_ (const rv_j_ *j) { if (j->k != RV_STR || j->len != 1) rv_die_("expected a one-char string"); return j->s[0]; }
static char *rv_p_str_ (const rv_j_ *j) {
  if (j->k != RV_STR) rv_die_("expected a string");
  if (strlen(j->s) != j->len) rv_die_("a string with a NUL character is not a C string");
  return j->s;
}

/* The parser of C type T's values (T unqualified); an unsupported T has none (a static assertion says so). */
#define RV_PARSER_(T) _Generic(*(T *)0, \
  _Bool: rv_p_bool_, char: rv_p_char_, signed char: rv_p_schar_, unsigned char: rv_p_uchar_, \
  short: rv_p_short_, unsigned short: rv_p_ushort_, int: rv_p_int_, unsigned: rv_p_uint_, \
  long: rv_p_long_, unsigned long: rv_p_ulong_, long long: rv_p_llong_, unsigned long long: rv_p_ullong_, \
  float: rv_p_float_, double: rv_p_double_, long double: rv_p_ldouble_, char *: rv_p_str_, const char *: rv_p_str_)
#define RV_SUPPORTED_(T) _Generic(*(T *)0, \
  _Bool: 1, char: 1, signed char: 1, unsigned char: 1, short: 1, unsigned short: 1, int: 1, unsigned: 1, \
  long: 1, unsigned long: 1, long long: 1, unsigned long long: 1, float: 1, double: 1, long double: 1, \
  char *: 1, const char *: 1, default: 0)
#define RV_INTEGER_(T) _Generic(*(T *)0, \
  signed char: 1, unsigned char: 1, short: 1, unsigned short: 1, int: 1, unsigned: 1, \
  long: 1, unsigned long: 1, long long: 1, unsigned long long: 1, default: 0)

static const rv_j_ *rv_list_ (const rv_j_ *j) { if (j->k != RV_ARR) rv_die_("expected an array"); return j; }

/* ---- the result: tagged JSON (compare.ts), as the C++ driver writes it */
static rv_buf_ rv_out_;
static void rv_w_str_ (const char *s) {
  if (s == NULL) { rv_puts_(&rv_out_, "null"); return; }
  rv_putc_(&rv_out_, '"');
  for (const unsigned char *c = (const unsigned char *)s; *c != '\0'; c++) {
    if (*c == '"' || *c == '\\') { rv_putc_(&rv_out_, '\\'); rv_putc_(&rv_out_, (char)*c); }
    else if (*c < 0x20 || *c == 0x7f) { char b[8]; snprintf(b, sizeof b, "\\u%04x", *c); rv_puts_(&rv_out_, b); }
    else rv_putc_(&rv_out_, (char)*c);
  }
  rv_putc_(&rv_out_, '"');
}
static void rv_w_char_ (char c) { char s[2] = { c, '\0' }; if (c == '\0') rv_puts_(&rv_out_, "\"\\u0000\""); else rv_w_str_(s); }
static void rv_w_bool_ (_Bool b) { rv_puts_(&rv_out_, b ? "true" : "false"); }
#define RV_SAFE_ 9007199254740992LL /* past 2^53 a JSON number loses digits on the host: tagged, exact */
static void rv_w_signed_ (long long v) {
  char b[40];
  snprintf(b, sizeof b, v >= -RV_SAFE_ && v <= RV_SAFE_ ? "%lld" : "{\"$int\":\"%lld\"}", v);
  rv_puts_(&rv_out_, b);
}
static void rv_w_unsigned_ (unsigned long long v) {
  char b[40];
  snprintf(b, sizeof b, v <= (unsigned long long)RV_SAFE_ ? "%llu" : "{\"$int\":\"%llu\"}", v);
  rv_puts_(&rv_out_, b);
}
static void rv_w_float_ (long double v) {
  char b[64];
  if (__builtin_isnan(v)) snprintf(b, sizeof b, "nan");
  else if (__builtin_isinf(v)) snprintf(b, sizeof b, v > 0 ? "inf" : "-inf");
  else snprintf(b, sizeof b, "%.21Lg", v);
  rv_puts_(&rv_out_, "{\"$float\":\"");
  rv_puts_(&rv_out_, b);
  rv_puts_(&rv_out_, "\"}");
}
#define RV_WRITER_(T) _Generic(*(T *)0, \
  _Bool: rv_w_bool_, char: rv_w_char_, signed char: rv_w_signed_, unsigned char: rv_w_unsigned_, \
  short: rv_w_signed_, unsigned short: rv_w_unsigned_, int: rv_w_signed_, unsigned: rv_w_unsigned_, \
  long: rv_w_signed_, unsigned long: rv_w_unsigned_, long long: rv_w_signed_, unsigned long long: rv_w_unsigned_, \
  float: rv_w_float_, double: rv_w_float_, long double: rv_w_float_, char *: rv_w_str_, const char *: rv_w_str_)

static void rv_w_len_ (long long n) { if (n < 0) rv_die_("the function returned a negative size"); }

/* ---- stdin and fd 4 */
static char *rv_nonce_;
static rv_j_ rv_args_;

/** Reads the nonce and the arguments; the function must take `arity` logical arguments. */
static void rv_read_ (size_t arity) {
  rv_buf_ in = { 0 };
  char b[65536];
  long n;
  while ((n = rv_sys_read_(0, b, sizeof b)) > 0) rv_put_(&in, b, (size_t)n);
  if (in.b == NULL) rv_die_("no nonce");
  char *nl = memchr(in.b, '\n', in.n);
  if (nl == NULL) rv_die_("no nonce");
  *nl = '\0';
  rv_nonce_ = in.b;
  rv_parser_ p = { nl + 1, 0, in.n - (size_t)(nl + 1 - in.b), 0 };
  rv_value_(&p, &rv_args_);
  if (rv_args_.k != RV_ARR) rv_die_("arguments are not an array");
  if (rv_args_.n != arity) {
    char m[128];
    snprintf(m, sizeof m, "the function takes %zu arguments, the test gives %zu", arity, rv_args_.n);
    rv_die_(m);
  }
}

static void rv_report_ (void) {
  rv_buf_ f = { 0 };
  rv_puts_(&f, rv_nonce_);
  rv_putc_(&f, ' ');
  rv_put_(&f, rv_out_.b == NULL ? "null" : rv_out_.b, rv_out_.b == NULL ? 4 : rv_out_.n);
  rv_putc_(&f, '\n');
  size_t off = 0;
  while (off < f.n) {
    long w = rv_sys_write_(4, f.b + off, f.n - off);
    if (w <= 0) rv_die_("cannot write the result");
    off += (size_t)w;
  }
  rv_sys_exit_(0);
}
