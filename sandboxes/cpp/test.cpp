// Self-test of the C++ sandbox: reads "ping" on stdin, prints OK (run through the real API by test/sandbox/native).
#include <iostream>
#include <string>
int main () {
  std::string s;
  std::cin >> s;
  std::cout << (s == "ping" ? "OK" : "NO") << "\n";
  return 0;
}
