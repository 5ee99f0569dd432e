/* Self-test of the C sandbox: reads "ping" on stdin, prints OK. */
#include <stdio.h>
#include <string.h>
int main (void) {
  char s[16] = { 0 };
  if (scanf("%15s", s) != 1) return 1;
  puts(strcmp(s, "ping") == 0 ? "OK" : "NO");
  return 0;
}
